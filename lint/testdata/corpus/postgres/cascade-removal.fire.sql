-- expect: cascade-removal truncate-table
SET lock_timeout = '2s';
TRUNCATE users CASCADE;
DROP VIEW active_users CASCADE;
