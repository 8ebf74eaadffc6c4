-- expect: sqlite-foreign-keys-pragma-in-transaction
PRAGMA foreign_keys = OFF;
CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
INSERT INTO users_new SELECT id, email FROM users;
