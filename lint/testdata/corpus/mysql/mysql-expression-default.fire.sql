-- expect: mysql-expression-default
SET SESSION lock_wait_timeout = 5;
ALTER TABLE sessions ADD COLUMN expires_at datetime DEFAULT (NOW() + INTERVAL 1 DAY), ALGORITHM=INPLACE, LOCK=NONE;
