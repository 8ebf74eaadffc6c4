-- expect-not: drop-column
SET SESSION lock_wait_timeout = 5;
ALTER TABLE users DROP INDEX users_legacy_flag, ALGORITHM=INPLACE, LOCK=NONE;
