-- expect: drop-column
SET SESSION lock_wait_timeout = 5;
ALTER TABLE users DROP COLUMN legacy_flag, ALGORITHM=INPLACE, LOCK=NONE;
