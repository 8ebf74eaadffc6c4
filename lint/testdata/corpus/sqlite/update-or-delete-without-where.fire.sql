-- expect: update-or-delete-without-where
UPDATE users SET active = 1;
DELETE FROM sessions;
