-- expect: rename-column
SET SESSION lock_wait_timeout = 5;
ALTER TABLE users RENAME COLUMN name TO full_name, ALGORITHM=INSTANT;
ALTER TABLE teams CHANGE title label varchar(100) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;
