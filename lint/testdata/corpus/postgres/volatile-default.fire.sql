-- expect: volatile-default
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
ALTER TABLE users ADD COLUMN lucky float8 DEFAULT random();
ALTER TABLE users ADD COLUMN seen_at timestamptz DEFAULT clock_timestamp();
ALTER TABLE users ADD COLUMN ticket bigint DEFAULT nextval('tickets_seq');
ALTER TABLE users ADD COLUMN label text DEFAULT my_label();
