-- expect-not: update-or-delete-without-where
UPDATE users SET active = 1 WHERE last_login > '2024-01-01';
DELETE FROM sessions WHERE expires_at < NOW();
