-- lock_timeout = 0 turns the timeout off.
-- expect: lock-timeout-missing
SET lock_timeout = 0;
ALTER TABLE users ADD COLUMN nickname text;
