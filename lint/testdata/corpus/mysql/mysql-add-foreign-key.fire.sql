-- expect: mysql-add-foreign-key
SET SESSION lock_wait_timeout = 5;
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id), ALGORITHM=INPLACE, LOCK=NONE;
