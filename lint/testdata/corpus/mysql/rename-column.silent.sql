-- expect-not: rename-column
SET SESSION lock_wait_timeout = 5;
ALTER TABLE users RENAME INDEX users_email TO users_email_idx, ALGORITHM=INPLACE, LOCK=NONE;
