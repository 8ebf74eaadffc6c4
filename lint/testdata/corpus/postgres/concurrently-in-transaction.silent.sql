-- schemagate:no-transaction
-- expect-not: concurrently-in-transaction
CREATE INDEX CONCURRENTLY users_email ON users (email);
DROP INDEX CONCURRENTLY users_email_old;
