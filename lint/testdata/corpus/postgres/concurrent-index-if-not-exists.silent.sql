-- schemagate:no-transaction
-- expect-not: concurrent-index-if-not-exists
DROP INDEX CONCURRENTLY IF EXISTS users_email;
CREATE INDEX CONCURRENTLY users_email ON users (email);
