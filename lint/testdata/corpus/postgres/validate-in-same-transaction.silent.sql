-- expect-not: validate-in-same-transaction
SET lock_timeout = '2s';
ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0) NOT VALID;
-- ---- migration
ALTER TABLE orders VALIDATE CONSTRAINT amount_positive;
