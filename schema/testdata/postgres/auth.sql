-- An authentication service: tenants, their users, login sessions and API
-- keys. Exercises uuid and identity keys, an extension type, an enum,
-- named and unnamed constraints, cascading foreign keys and partial
-- indexes.

CREATE EXTENSION IF NOT EXISTS citext;

CREATE TYPE user_status AS ENUM ('invited', 'active', 'suspended', 'deleted');

CREATE TABLE tenants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug varchar(63) NOT NULL,
  name text NOT NULL,
  region char(2) NOT NULL DEFAULT 'eu' CHECK (region IN ('eu', 'us')),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tenants_slug_key UNIQUE (slug),
  CONSTRAINT tenants_slug_format CHECK (slug ~ '^[a-z0-9-]+$')
);

CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email citext NOT NULL,
  password_hash bytea,
  status user_status NOT NULL DEFAULT 'invited',
  mfa_enabled boolean NOT NULL DEFAULT false,
  last_login_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, email)
);
CREATE INDEX users_status_idx ON users (tenant_id, status) WHERE status <> 'deleted';

CREATE TABLE sessions (
  token_hash bytea PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  user_agent text,
  ip inet,
  CHECK (expires_at > created_at)
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at DESC);

CREATE TABLE api_keys (
  id bigserial PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE RESTRICT,
  prefix varchar(12) NOT NULL,
  secret_hash bytea NOT NULL,
  scopes text[] NOT NULL DEFAULT '{}',
  revoked_at timestamptz
);
CREATE UNIQUE INDEX api_keys_prefix_idx ON api_keys (prefix) WHERE revoked_at IS NULL;

-- schemagate's own tables are never part of the model.
CREATE TABLE schemagate_migrations (version bigserial PRIMARY KEY, name text NOT NULL);
CREATE INDEX schemagate_migrations_name_idx ON schemagate_migrations (name);
