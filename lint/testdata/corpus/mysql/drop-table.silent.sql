-- expect-not: drop-table
CREATE TABLE import_scratch (line text);
DROP TABLE import_scratch;
DROP VIEW IF EXISTS active_users;
