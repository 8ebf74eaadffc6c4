-- expect-not: update-or-delete-without-where
UPDATE users SET active = true WHERE last_login > now() - interval '90 days';
DELETE FROM sessions WHERE expires_at < now();
CREATE TABLE flags (name text, enabled boolean);
INSERT INTO flags VALUES ('beta', false);
UPDATE flags SET enabled = true;
