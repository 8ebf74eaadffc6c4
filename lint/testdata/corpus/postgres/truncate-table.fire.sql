-- expect: truncate-table
SET lock_timeout = '2s';
TRUNCATE audit_log;
