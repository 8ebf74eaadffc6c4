-- expect: truncate-table
SET SESSION lock_wait_timeout = 5;
TRUNCATE TABLE audit_log;
