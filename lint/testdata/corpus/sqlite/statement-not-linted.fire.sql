-- expect: statement-not-linted
WITH stale AS (SELECT id FROM sessions WHERE expires_at < 0) DELETE FROM sessions WHERE id IN (SELECT id FROM stale);
