-- expect-not: json-column
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN preferences jsonb;
