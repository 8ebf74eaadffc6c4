-- expect: lock-timeout-missing
ALTER TABLE users ADD COLUMN nickname varchar(50), ALGORITHM=INSTANT;
