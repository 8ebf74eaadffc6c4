-- Hard case 1: on PostgreSQL 12+ a validated CHECK (email IS NOT NULL) makes
-- SET NOT NULL skip its scan.
-- expect-not: set-not-null
SET lock_timeout = '2s';
ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
-- ---- migration
ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;
-- ---- migration
SET lock_timeout = '2s';
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_email_not_null;
