-- expect: identifier-too-long
CREATE TABLE customer_subscription_billing_history_entries_archived_for_audit (id bigint PRIMARY KEY);
