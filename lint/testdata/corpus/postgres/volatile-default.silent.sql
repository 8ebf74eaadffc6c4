-- Hard case 4: none of these defaults is volatile; the fast default applies.
-- expect-not: volatile-default
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now();
ALTER TABLE users ADD COLUMN updated_at timestamptz DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE users ADD COLUMN archived boolean NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN tags text[] DEFAULT ARRAY[]::text[];
ALTER TABLE users ADD COLUMN since timestamptz DEFAULT now() - interval '1 day';
ALTER TABLE users ADD COLUMN note text DEFAULT NULL;
ALTER TABLE users ADD COLUMN plan text DEFAULT lower('FREE');
ALTER TABLE users ADD COLUMN meta jsonb DEFAULT '{}'::jsonb;
ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();
