-- expect-not: drop-column
CREATE TABLE staging (id bigint, scratch text);
ALTER TABLE staging DROP COLUMN scratch;
