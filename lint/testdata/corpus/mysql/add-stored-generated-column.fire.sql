-- expect: add-stored-generated-column
SET SESSION lock_wait_timeout = 5;
ALTER TABLE order_lines ADD COLUMN total decimal(12,2) AS (price * quantity) STORED, ALGORITHM=INPLACE, LOCK=NONE;
