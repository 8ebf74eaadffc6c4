-- expect-not: enum-add-value-in-transaction not-allowed-in-transaction
ALTER TYPE order_status ADD VALUE 'archived' AFTER 'closed';
