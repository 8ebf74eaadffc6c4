-- expect: statement-not-linted
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN nickname text;
CREATE INDX users_nickname ON users (nickname);
