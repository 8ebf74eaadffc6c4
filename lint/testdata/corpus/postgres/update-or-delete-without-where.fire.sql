-- expect: update-or-delete-without-where
UPDATE users SET active = true;
DELETE FROM sessions;
