-- Every customer is a tenant, reached on a custom domain of its own
-- (login.acme.example): the service finds the tenant by the Host header.
CREATE TABLE tenants (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    domain     TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
