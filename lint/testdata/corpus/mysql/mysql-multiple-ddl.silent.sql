-- expect-not: mysql-multiple-ddl
SET SESSION lock_wait_timeout = 5;
ALTER TABLE users ADD COLUMN nickname varchar(50), ADD COLUMN avatar varchar(200), ALGORITHM=INSTANT;
UPDATE users SET nickname = '' WHERE nickname IS NULL;
