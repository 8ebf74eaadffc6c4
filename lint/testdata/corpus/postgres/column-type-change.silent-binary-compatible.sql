-- expect-not: column-type-change
CREATE TABLE products (id bigint PRIMARY KEY, name varchar(100), sku varchar(20), price numeric(10,2));
-- ---- migration
SET lock_timeout = '2s';
ALTER TABLE products ALTER COLUMN name TYPE varchar(200);
ALTER TABLE products ALTER COLUMN sku TYPE text;
ALTER TABLE products ALTER COLUMN price TYPE numeric(14,2);
