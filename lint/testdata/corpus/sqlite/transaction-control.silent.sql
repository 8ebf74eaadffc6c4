-- schemagate:no-transaction
-- expect-not: transaction-control
BEGIN;
ALTER TABLE users ADD COLUMN nickname TEXT;
COMMIT;
