-- lint: postgres_version=10
-- expect-not: volatile-default
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN note text;
