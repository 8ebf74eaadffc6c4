-- expect: column-type-change
SET lock_timeout = '2s';
ALTER TABLE users ALTER COLUMN age TYPE bigint;
