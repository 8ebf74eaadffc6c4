-- expect: mysql-inline-references
CREATE TABLE invoices (id bigint unsigned PRIMARY KEY, order_id bigint unsigned REFERENCES orders (id));
