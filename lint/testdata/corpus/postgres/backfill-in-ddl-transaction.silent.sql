-- expect-not: backfill-in-ddl-transaction
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN score integer;
-- ---- migration
UPDATE users SET score = 0 WHERE score IS NULL;
