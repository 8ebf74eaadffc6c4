-- expect-not: int-primary-key
CREATE TABLE teams (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);
CREATE TABLE team_members (team_id integer, user_id integer, PRIMARY KEY (team_id, user_id));
