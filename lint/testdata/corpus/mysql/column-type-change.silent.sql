-- expect-not: column-type-change
CREATE TABLE products (id bigint unsigned PRIMARY KEY, name varchar(100) NOT NULL);
-- ---- migration
SET SESSION lock_wait_timeout = 5;
ALTER TABLE products MODIFY name varchar(200) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;
