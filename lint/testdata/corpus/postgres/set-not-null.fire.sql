-- Hard case 2: SET NOT NULL must never go unflagged.
-- expect: set-not-null
SET lock_timeout = '2s';
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
