-- expect-not: add-auto-increment-column
CREATE TABLE jobs (id bigint unsigned AUTO_INCREMENT PRIMARY KEY, name varchar(50));
