-- PostgreSQL 11 always scans, validated CHECK or not.
-- lint: postgres_version=11
-- expect: set-not-null
SET lock_timeout = '2s';
ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
-- ---- migration
ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;
-- ---- migration
SET lock_timeout = '2s';
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
