-- expect-not: update-or-delete-without-where
UPDATE users SET active = 1 WHERE id IN (SELECT user_id FROM logins);
DELETE FROM sessions WHERE expires_at < strftime('%s', 'now');
UPDATE users SET note = 'no where here' WHERE id = 7;
