-- A shop on SQLite: every kind of object the SQLite model describes.
-- Composite primary keys, unique constraints, named and unnamed checks on
-- columns and tables, foreign keys with actions and one that refers to
-- the parent's primary key implicitly, unique, partial, expression,
-- descending and collated indexes, stored and virtual generated columns,
-- and a view with a comment in its query.

CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  email VARCHAR (320) NOT NULL,
  name TEXT NOT NULL,
  country CHAR(2),
  created_at TEXT DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX customers_email_lower_idx ON customers (lower(email));

CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  sku TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  price DECIMAL(10, 2) NOT NULL CHECK (price >= 0),
  attributes TEXT NOT NULL DEFAULT '{}',
  title_lower TEXT GENERATED ALWAYS AS (lower(title)) VIRTUAL, -- for search
  price_cents INTEGER AS (CAST(price * 100 AS INTEGER)) STORED
);
CREATE INDEX products_title_idx ON products (title COLLATE NOCASE DESC);

CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER REFERENCES customers (id) ON DELETE SET NULL ON UPDATE CASCADE,
  status TEXT NOT NULL DEFAULT 'pending',
  total NUMERIC NOT NULL DEFAULT 0,
  placed_at TEXT NOT NULL,
  shipped_at TEXT,
  CONSTRAINT orders_shipped_after_placed CHECK (shipped_at IS NULL OR shipped_at >= placed_at)
);
CREATE INDEX orders_open_idx ON orders (placed_at DESC) WHERE status IN ('pending', 'paid');

CREATE TABLE order_lines (
  order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  line_no INTEGER NOT NULL,
  product_id INTEGER NOT NULL REFERENCES products ON DELETE RESTRICT,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  unit_price DECIMAL(10,2) NOT NULL,
  PRIMARY KEY (order_id, line_no)
);

CREATE TABLE coupons (
  code TEXT NOT NULL,
  region TEXT NOT NULL,
  percent_off INTEGER CONSTRAINT coupons_percent_range CHECK (percent_off BETWEEN 1 AND 100),
  UNIQUE (code, region)
);

CREATE VIEW open_orders AS
  SELECT o.id, o.customer_id, o.total -- only the open ones
  FROM orders o
  WHERE o.status IN ('pending', 'paid');
