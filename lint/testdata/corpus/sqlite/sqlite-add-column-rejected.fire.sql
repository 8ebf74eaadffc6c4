-- expect: sqlite-add-column-rejected
ALTER TABLE users ADD COLUMN tenant_id INTEGER NOT NULL;
ALTER TABLE users ADD COLUMN created_at TEXT DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE users ADD COLUMN handle TEXT UNIQUE;
