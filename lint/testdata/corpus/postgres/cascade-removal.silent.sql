-- expect-not: cascade-removal
DROP VIEW active_users;
DROP TYPE IF EXISTS mood RESTRICT;
