-- Release 2 serves a tenant's custom domain only once the domain is
-- verified. Existing domains were verified by hand, hence the default: the
-- change is additive, so release 1 still runs on the new schema.
ALTER TABLE tenants ADD COLUMN domain_verified BOOLEAN NOT NULL DEFAULT TRUE;
