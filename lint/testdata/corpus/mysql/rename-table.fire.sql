-- expect: rename-table
SET SESSION lock_wait_timeout = 5;
RENAME TABLE users TO accounts;
ALTER TABLE teams RENAME TO groups_;
