-- expect: transaction-control
BEGIN;
ALTER TABLE users ADD COLUMN nickname TEXT;
COMMIT;
