CREATE TABLE tenants (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL,
    domain TEXT NOT NULL UNIQUE
);
INSERT INTO tenants (name, domain) VALUES ('Acme', 'login.acme.test');
