-- Hard case 9: on 9.6 an explicit DEFAULT NULL rewrote the table.
-- lint: postgres_version=9.6
-- expect: volatile-default
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN note text DEFAULT NULL;
