-- schemagate:lock-timeout 3s
-- expect-not: lock-timeout-missing
ALTER TABLE users ADD COLUMN nickname text;
