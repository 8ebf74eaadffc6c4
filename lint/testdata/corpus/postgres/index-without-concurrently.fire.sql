-- expect: index-without-concurrently lock-timeout-missing
CREATE INDEX users_email ON users (email);
