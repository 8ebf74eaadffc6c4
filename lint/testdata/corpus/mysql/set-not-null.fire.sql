-- expect: set-not-null
CREATE TABLE profiles (id bigint unsigned PRIMARY KEY, bio varchar(200));
-- ---- migration
SET SESSION lock_wait_timeout = 5;
ALTER TABLE profiles MODIFY bio varchar(200) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;
