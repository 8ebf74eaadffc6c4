-- schemagate:no-transaction
-- expect-not: table-rewrite-command
VACUUM (ANALYZE) users;
SET lock_timeout = '2s';
ALTER TABLE users SET (fillfactor = 90);
