-- expect: mysql-algorithm-missing
SET SESSION lock_wait_timeout = 5;
ALTER TABLE users ADD COLUMN nickname varchar(50);
