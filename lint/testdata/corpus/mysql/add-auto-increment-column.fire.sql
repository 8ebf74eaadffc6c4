-- expect: add-auto-increment-column
SET SESSION lock_wait_timeout = 5;
ALTER TABLE events ADD COLUMN seq bigint unsigned AUTO_INCREMENT UNIQUE, ALGORITHM=INPLACE, LOCK=NONE;
