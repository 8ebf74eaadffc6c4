-- expect-not: statement-not-linted
SET SESSION lock_wait_timeout = 5;
ALTER TABLE users ADD COLUMN nickname varchar(50), ALGORITHM=INSTANT;
