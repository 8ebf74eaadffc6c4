-- Hard case 8: NOT VALID and VALIDATE in one migration share one transaction.
-- expect: validate-in-same-transaction
-- expect-not: check-without-not-valid
SET lock_timeout = '2s';
ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT amount_positive;
