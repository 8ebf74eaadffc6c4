-- expect: transaction-control
BEGIN;
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN nickname text;
COMMIT;
