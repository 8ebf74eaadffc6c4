-- expect-not: rename-table
SET lock_timeout = '2s';
ALTER TABLE users RENAME CONSTRAINT users_email_check TO users_email_format;
CREATE TABLE tmp_import (id bigint);
ALTER TABLE tmp_import RENAME TO imports;
