-- expect: drop-table
SET SESSION lock_wait_timeout = 5;
DROP TABLE legacy_sessions;
