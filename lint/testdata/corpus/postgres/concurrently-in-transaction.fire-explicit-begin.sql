-- schemagate:no-transaction
-- expect: concurrently-in-transaction
BEGIN;
CREATE INDEX CONCURRENTLY users_email ON users (email);
COMMIT;
