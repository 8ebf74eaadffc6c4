-- expect-not: volatile-default
CREATE FUNCTION default_plan() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'free' $$;
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN plan text DEFAULT default_plan();
