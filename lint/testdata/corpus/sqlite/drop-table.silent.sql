-- expect-not: drop-table
CREATE TABLE import_scratch (line TEXT);
DROP TABLE import_scratch;
DROP VIEW IF EXISTS active_users;
