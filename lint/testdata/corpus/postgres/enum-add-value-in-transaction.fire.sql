-- expect: enum-add-value-in-transaction
ALTER TYPE order_status ADD VALUE 'archived';
UPDATE orders SET status = 'archived' WHERE closed_at < '2020-01-01';
