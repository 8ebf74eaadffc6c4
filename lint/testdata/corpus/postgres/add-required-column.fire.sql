-- expect: add-required-column
SET lock_timeout = '2s';
ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;
