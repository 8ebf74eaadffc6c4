-- schemagate:no-transaction
-- expect-not: drop-index-without-concurrently concurrently-in-transaction
DROP INDEX CONCURRENTLY IF EXISTS users_email;
