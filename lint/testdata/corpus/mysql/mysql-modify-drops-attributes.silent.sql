-- expect-not: mysql-modify-drops-attributes
CREATE TABLE accounts (id bigint unsigned PRIMARY KEY, plan varchar(20) NOT NULL DEFAULT 'free' COMMENT 'billing plan');
-- ---- migration
SET SESSION lock_wait_timeout = 5;
ALTER TABLE accounts MODIFY plan varchar(40) NOT NULL DEFAULT 'free' COMMENT 'billing plan', ALGORITHM=INPLACE, LOCK=NONE;
