-- Hard case 3: before PostgreSQL 11 every default rewrites the table.
-- lint: postgres_version=10
-- expect: volatile-default
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN score integer DEFAULT 0;
