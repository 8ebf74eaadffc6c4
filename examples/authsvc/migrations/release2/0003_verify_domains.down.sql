ALTER TABLE tenants DROP COLUMN domain_verified;
