-- expect: mysql-blocking-algorithm
SET SESSION lock_wait_timeout = 5;
CREATE INDEX users_email ON users (email) ALGORITHM=INPLACE LOCK=SHARED;
