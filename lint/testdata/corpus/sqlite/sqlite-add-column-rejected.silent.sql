-- expect-not: sqlite-add-column-rejected
ALTER TABLE users ADD COLUMN tenant_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN created_at TEXT DEFAULT '1970-01-01 00:00:00';
ALTER TABLE users ADD COLUMN handle TEXT;
