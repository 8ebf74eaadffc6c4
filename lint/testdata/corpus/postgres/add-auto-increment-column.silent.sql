-- expect-not: add-auto-increment-column
CREATE TABLE jobs (id bigserial PRIMARY KEY, run_id bigint GENERATED ALWAYS AS IDENTITY);
