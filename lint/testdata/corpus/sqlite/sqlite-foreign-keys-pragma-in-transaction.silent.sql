-- schemagate:no-transaction
-- expect-not: sqlite-foreign-keys-pragma-in-transaction
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
INSERT INTO users_new SELECT id, email FROM users;
PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
