-- A shop on MySQL/MariaDB: every kind of object the MySQL model describes.
-- Integer display widths and zerofill, unsigned, decimal, enum and set,
-- columns whose collation differs from the table's, literal and expression
-- defaults, stored and virtual generated columns, composite primary keys,
-- unique keys created both ways, prefix, descending, FULLTEXT and SPATIAL
-- indexes, foreign keys with actions (named, unnamed, composite, to another
-- table's unique key), checks, and views, one with a string that looks like
-- a qualified name.

CREATE TABLE customers (
  id int(11) NOT NULL AUTO_INCREMENT,
  email varchar(320) NOT NULL,
  name varchar(200) COLLATE utf8mb4_bin NOT NULL,
  country char(2) CHARACTER SET ascii,
  loyalty_no int(8) unsigned zerofill,
  created_at timestamp NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY customers_email_key (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE UNIQUE INDEX customers_country_name ON customers (country, name);

CREATE TABLE products (
  id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
  sku varchar(40) NOT NULL,
  title varchar(200) NOT NULL,
  description text,
  price decimal(10,2) NOT NULL DEFAULT 0.00 CHECK (price >= 0),
  weight_kg double,
  tags set('new', 'sale', 'gift'),
  in_stock tinyint(1) NOT NULL DEFAULT 1,
  rating tinyint unsigned,
  released year(4),
  title_lower varchar(200) AS (lower(title)) VIRTUAL,
  price_cents bigint AS (price * 100) STORED,
  location point NOT NULL,
  UNIQUE INDEX products_sku (sku),
  KEY products_title_prefix (title(20), price DESC),
  FULLTEXT KEY products_text (title, description),
  SPATIAL INDEX products_location (location)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE orders (
  id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id int,
  customer_email varchar(320),
  status enum('pending', 'paid', 'shipped') NOT NULL DEFAULT 'pending',
  note varchar(100) NOT NULL DEFAULT 'it''s new',
  total decimal(12,2) NOT NULL DEFAULT 0,
  placed_at datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  shipped_at datetime(3),
  CONSTRAINT orders_shipped_after_placed CHECK (shipped_at IS NULL OR shipped_at >= placed_at),
  CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
    ON DELETE SET NULL ON UPDATE CASCADE,
  FOREIGN KEY (customer_email) REFERENCES customers (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE INDEX orders_open ON orders (status, placed_at DESC);

CREATE TABLE order_lines (
  order_id bigint NOT NULL,
  line_no smallint(6) NOT NULL,
  product_id int NOT NULL,
  quantity int NOT NULL CHECK (quantity > 0),
  unit_price decimal(10,2) NOT NULL,
  PRIMARY KEY (order_id, line_no),
  FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE shipments (
  order_id bigint NOT NULL,
  line_no smallint NOT NULL,
  carrier varchar(40) NOT NULL DEFAULT 'post',
  PRIMARY KEY (order_id, line_no, carrier),
  CONSTRAINT shipments_line_fk FOREIGN KEY (order_id, line_no) REFERENCES order_lines (order_id, line_no)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci;

CREATE VIEW open_orders AS
  SELECT o.id, o.customer_id, o.total -- only the open ones
  FROM orders o
  WHERE o.status IN ('pending', 'paid') AND o.note <> 'orders.id';
