-- Release 2 only serves tenants whose custom domain is verified.
ALTER TABLE tenants ADD COLUMN domain_verified BOOLEAN NOT NULL DEFAULT TRUE;
