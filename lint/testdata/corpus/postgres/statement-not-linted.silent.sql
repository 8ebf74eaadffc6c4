-- expect-not: statement-not-linted
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN nickname text;
COMMENT ON COLUMN users.nickname IS 'shown in the header; may be empty';
