-- expect-not: drop-table
CREATE TABLE import_scratch (line text);
DROP TABLE import_scratch;
DROP VIEW active_users;
