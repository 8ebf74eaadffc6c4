-- expect: int-primary-key
CREATE TABLE teams (id serial PRIMARY KEY, name text);
CREATE TABLE seats (id integer, team_id bigint, PRIMARY KEY (id));
