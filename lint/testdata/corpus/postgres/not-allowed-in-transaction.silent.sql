-- schemagate:no-transaction
-- expect-not: not-allowed-in-transaction
VACUUM users;
ANALYZE users;
