-- expect: column-type-change
SET SESSION lock_wait_timeout = 5;
ALTER TABLE users MODIFY age smallint, ALGORITHM=INPLACE, LOCK=NONE;
