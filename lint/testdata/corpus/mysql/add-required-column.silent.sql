-- expect-not: add-required-column
SET SESSION lock_wait_timeout = 5;
ALTER TABLE users ADD COLUMN tenant_id bigint unsigned NOT NULL DEFAULT 0, ALGORITHM=INSTANT;
