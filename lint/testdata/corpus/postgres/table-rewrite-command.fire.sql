-- expect: table-rewrite-command
SET lock_timeout = '2s';
CLUSTER users USING users_pkey;
ALTER TABLE users SET TABLESPACE fast_disk;
ALTER TABLE events SET LOGGED;
