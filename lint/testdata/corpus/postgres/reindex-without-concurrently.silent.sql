-- schemagate:no-transaction
-- expect-not: reindex-without-concurrently concurrently-in-transaction
REINDEX (CONCURRENTLY) INDEX users_email;
