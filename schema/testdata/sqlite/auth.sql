-- An authentication service on SQLite: tenants, users, sessions.

CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  slug VARCHAR(63) NOT NULL UNIQUE,
  name TEXT NOT NULL,
  region TEXT NOT NULL DEFAULT 'eu' CHECK (region IN ('eu', 'us')),
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  email TEXT NOT NULL COLLATE NOCASE,
  password_hash BLOB,
  status TEXT NOT NULL DEFAULT 'invited'
    CONSTRAINT users_status_valid CHECK (status IN ('invited', 'active', 'suspended', 'deleted')),
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  UNIQUE (tenant_id, email)
);
CREATE INDEX users_status_idx ON users (tenant_id, status) WHERE status <> 'deleted';

CREATE TABLE sessions (
  token_hash BLOB NOT NULL PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users,
  expires_at TEXT NOT NULL,
  created_at TEXT NOT NULL,
  CHECK (expires_at > created_at)
) WITHOUT ROWID;
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- schemagate's own tables are never part of the model.
CREATE TABLE schemagate_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL);
