-- expect: detach-partition-without-concurrently
SET lock_timeout = '2s';
ALTER TABLE events DETACH PARTITION events_2023;
