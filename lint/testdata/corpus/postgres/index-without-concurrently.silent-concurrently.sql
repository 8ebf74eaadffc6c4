-- schemagate:no-transaction
-- expect-not: index-without-concurrently concurrently-in-transaction
CREATE INDEX CONCURRENTLY users_email ON users (email);
