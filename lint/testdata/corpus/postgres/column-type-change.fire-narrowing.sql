-- expect: column-type-change
CREATE TABLE products (id bigint PRIMARY KEY, name varchar(100), price numeric(10,2));
-- ---- migration
SET lock_timeout = '2s';
ALTER TABLE products ALTER COLUMN name TYPE varchar(50);
ALTER TABLE products ALTER COLUMN price TYPE numeric(12,2) USING round(price, 2);
