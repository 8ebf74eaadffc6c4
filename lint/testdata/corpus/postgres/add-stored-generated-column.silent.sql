-- expect-not: add-stored-generated-column
CREATE TABLE carts (price numeric, quantity int, total numeric GENERATED ALWAYS AS (price * quantity) STORED);
