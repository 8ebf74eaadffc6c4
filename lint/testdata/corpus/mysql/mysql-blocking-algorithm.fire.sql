-- expect: mysql-blocking-algorithm
SET SESSION lock_wait_timeout = 5;
ALTER TABLE users ADD INDEX users_email (email), ALGORITHM=COPY;
