-- expect: int-primary-key
CREATE TABLE teams (id int AUTO_INCREMENT PRIMARY KEY, name varchar(50));
