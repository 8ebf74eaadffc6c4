-- MariaDB syntax the Vitess parser does not know: reported, never skipped.
-- expect: statement-not-linted
SET SESSION lock_wait_timeout = 5;
ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname varchar(50), ALGORITHM=INSTANT;
