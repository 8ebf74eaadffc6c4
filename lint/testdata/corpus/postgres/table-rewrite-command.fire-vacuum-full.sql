-- schemagate:no-transaction
-- expect: table-rewrite-command
VACUUM FULL users;
