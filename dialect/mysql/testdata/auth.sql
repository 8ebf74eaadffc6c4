-- An authentication service on MySQL/MariaDB: tenants, their users, login
-- sessions and API keys. Exercises auto-increment and char(36) uuid keys,
-- ENUM columns, BOOLEAN (tinyint(1)), named and unnamed checks, cascading
-- foreign keys, a composite unique key and a descending index.

CREATE TABLE tenants (
  id char(36) NOT NULL DEFAULT (uuid()),
  slug varchar(63) NOT NULL,
  name varchar(200) NOT NULL,
  region char(2) NOT NULL DEFAULT 'eu' CHECK (region IN ('eu', 'us')),
  created_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (id),
  CONSTRAINT tenants_slug_key UNIQUE (slug),
  CONSTRAINT tenants_slug_format CHECK (slug REGEXP '^[a-z0-9-]+$')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE users (
  id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id char(36) NOT NULL,
  email varchar(320) NOT NULL,
  password_hash varbinary(64),
  status ENUM('invited', 'active', 'suspended', 'deleted') NOT NULL DEFAULT 'invited',
  mfa_enabled boolean NOT NULL DEFAULT false,
  last_login_at datetime,
  created_at timestamp NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, email),
  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
  KEY users_status_idx (tenant_id, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE sessions (
  token_hash binary(32) NOT NULL PRIMARY KEY,
  user_id bigint unsigned NOT NULL,
  created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
  expires_at datetime NOT NULL,
  user_agent text,
  ip varbinary(16),
  CHECK (expires_at > created_at),
  CONSTRAINT sessions_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at DESC);

CREATE TABLE api_keys (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tenant_id char(36) NOT NULL,
  prefix varchar(12) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  secret_hash varbinary(64) NOT NULL,
  scopes json NOT NULL,
  revoked_at datetime NULL,
  UNIQUE KEY api_keys_prefix_idx (prefix),
  FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- schemagate's own tables are never part of the model.
CREATE TABLE schemagate_migrations (version bigint PRIMARY KEY, name varchar(255) NOT NULL);
CREATE INDEX schemagate_migrations_name_idx ON schemagate_migrations (name);
