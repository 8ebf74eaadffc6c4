-- expect: rename-table
SET lock_timeout = '2s';
ALTER TABLE users RENAME TO accounts;
ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled';
ALTER SCHEMA reporting RENAME TO analytics;
ALTER TABLE invoices SET SCHEMA archive;
