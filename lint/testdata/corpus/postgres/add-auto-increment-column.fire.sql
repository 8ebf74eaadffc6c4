-- expect: add-auto-increment-column
SET lock_timeout = '2s';
ALTER TABLE events ADD COLUMN seq bigserial;
ALTER TABLE audit_log ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
