-- Hard case 5: a plain index on a table created earlier in the same file.
-- expect-not: index-without-concurrently lock-timeout-missing
CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);
CREATE INDEX accounts_email ON accounts (email);
