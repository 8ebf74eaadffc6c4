-- VALIDATE takes SHARE UPDATE EXCLUSIVE, which blocks neither reads nor writes.
-- expect-not: lock-timeout-missing
ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;
