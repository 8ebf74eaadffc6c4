-- lint: postgres_version=14.4
-- schemagate:no-transaction
-- expect-not: concurrent-index-pg14-corruption
CREATE INDEX CONCURRENTLY users_email ON users (email);
