-- expect-not: attach-partition-scan
SET lock_timeout = '2s';
CREATE TABLE events_2026 (LIKE events INCLUDING DEFAULTS);
ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
