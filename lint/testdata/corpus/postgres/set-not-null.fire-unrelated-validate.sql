-- Hard case 1, follow-up: an unrelated VALIDATE must not suppress the finding.
-- expect: set-not-null
SET lock_timeout = '2s';
ALTER TABLE users ADD CONSTRAINT users_name_not_null CHECK (name IS NOT NULL) NOT VALID;
ALTER TABLE users ADD CONSTRAINT users_email_short CHECK (length(email) < 300) NOT VALID;
-- ---- migration
ALTER TABLE users VALIDATE CONSTRAINT users_name_not_null;
ALTER TABLE users VALIDATE CONSTRAINT users_email_short;
-- ---- migration
SET lock_timeout = '2s';
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
