-- Hard case 7: IF NOT EXISTS hides an INVALID index left by a failed build.
-- schemagate:no-transaction
-- expect: concurrent-index-if-not-exists
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email ON users (email);
