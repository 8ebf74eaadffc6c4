-- expect-ignored: index-without-concurrently
-- expect: lock-timeout-missing
-- schemagate:ignore index-without-concurrently users holds 12 rows in every environment
CREATE INDEX users_email ON users (email);
