-- expect-not: mysql-blocking-algorithm mysql-algorithm-missing
SET SESSION lock_wait_timeout = 5;
CREATE INDEX users_email ON users (email) ALGORITHM=INPLACE LOCK=NONE;
