-- expect-not: identifier-too-long
CREATE TABLE customer_subscription_billing_history_entries_archived_for_aud (id bigint PRIMARY KEY);
