-- expect-not: truncate-table
CREATE TABLE import_scratch (line text);
TRUNCATE import_scratch;
