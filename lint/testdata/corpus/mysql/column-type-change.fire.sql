-- expect: column-type-change
CREATE TABLE counters (id bigint unsigned PRIMARY KEY, hits int NOT NULL DEFAULT 0);
-- ---- migration
SET SESSION lock_wait_timeout = 5;
ALTER TABLE counters MODIFY hits bigint NOT NULL DEFAULT 0, ALGORITHM=INPLACE, LOCK=NONE;
