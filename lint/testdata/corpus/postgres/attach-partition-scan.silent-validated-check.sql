-- expect-not: attach-partition-scan
SET lock_timeout = '2s';
ALTER TABLE events_2025 ADD CONSTRAINT events_2025_bound
  CHECK (at >= '2025-01-01' AND at < '2026-01-01') NOT VALID;
-- ---- migration
ALTER TABLE events_2025 VALIDATE CONSTRAINT events_2025_bound;
-- ---- migration
SET lock_timeout = '2s';
ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
