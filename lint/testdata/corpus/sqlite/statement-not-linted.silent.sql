-- expect-not: statement-not-linted
CREATE TABLE logins (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);
CREATE INDEX logins_user ON logins (user_id);
INSERT INTO logins (user_id) SELECT id FROM users;
