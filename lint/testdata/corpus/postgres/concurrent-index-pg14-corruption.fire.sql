-- lint: postgres_version=14.2
-- schemagate:no-transaction
-- expect: concurrent-index-pg14-corruption
CREATE INDEX CONCURRENTLY users_email ON users (email);
