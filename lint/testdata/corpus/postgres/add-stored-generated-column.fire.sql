-- expect: add-stored-generated-column
SET lock_timeout = '2s';
ALTER TABLE order_lines ADD COLUMN total numeric GENERATED ALWAYS AS (price * quantity) STORED;
