-- The live database has only users: sessions is created by a pending migration.
-- lint: existing=users
-- expect-not: index-without-concurrently
CREATE INDEX sessions_user ON sessions (user_id);
