-- expect-not: mysql-expression-default
SET SESSION lock_wait_timeout = 5;
ALTER TABLE sessions ADD COLUMN created_at timestamp DEFAULT CURRENT_TIMESTAMP, ADD COLUMN state varchar(10) DEFAULT 'new', ALGORITHM=INSTANT;
ALTER TABLE sessions ADD COLUMN expires_at datetime DEFAULT (NOW() + INTERVAL 1 DAY), ALGORITHM=INSTANT;
