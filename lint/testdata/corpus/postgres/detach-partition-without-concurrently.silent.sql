-- schemagate:no-transaction
-- expect-not: detach-partition-without-concurrently concurrently-in-transaction
ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;
