-- Hard case 6: golang-migrate runs a lone statement outside a transaction;
-- schemagate wraps every file unless told otherwise, so this must fire.
-- expect: concurrently-in-transaction
CREATE INDEX CONCURRENTLY users_email ON users (email);
