-- expect-not: int-primary-key
CREATE TABLE teams (id bigint unsigned AUTO_INCREMENT PRIMARY KEY, name varchar(50));
