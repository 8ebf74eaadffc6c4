-- expect-not: drop-column
CREATE TABLE staging (id INTEGER PRIMARY KEY, scratch TEXT);
ALTER TABLE staging DROP COLUMN scratch;
DROP INDEX IF EXISTS users_legacy_flag;
