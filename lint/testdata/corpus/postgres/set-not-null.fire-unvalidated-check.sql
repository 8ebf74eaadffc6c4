-- expect: set-not-null
SET lock_timeout = '2s';
ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;
-- ---- migration
SET lock_timeout = '2s';
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
