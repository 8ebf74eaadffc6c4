-- expect: timestamp-without-time-zone
CREATE TABLE logins (id bigint PRIMARY KEY, at timestamp NOT NULL);
