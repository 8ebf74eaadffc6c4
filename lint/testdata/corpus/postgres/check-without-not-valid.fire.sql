-- expect: check-without-not-valid
SET lock_timeout = '2s';
ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0);
