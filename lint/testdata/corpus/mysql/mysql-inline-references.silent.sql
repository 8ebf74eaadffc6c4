-- expect-not: mysql-inline-references
CREATE TABLE invoices (id bigint unsigned PRIMARY KEY, order_id bigint unsigned, FOREIGN KEY (order_id) REFERENCES orders (id));
