-- expect-not: timestamp-without-time-zone
CREATE TABLE logins (id bigint PRIMARY KEY, at timestamptz NOT NULL, day date);
