-- lint: postgres_version=11
-- expect: not-allowed-in-transaction
ALTER TYPE order_status ADD VALUE 'archived';
