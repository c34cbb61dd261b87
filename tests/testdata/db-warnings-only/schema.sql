CREATE TABLE person (id int PRIMARY KEY, first_name text NOT NULL, last_name text);
CREATE FUNCTION people_named(name text) RETURNS SETOF person LANGUAGE sql STABLE
  AS 'SELECT * FROM person WHERE first_name = name';
CREATE FUNCTION touch_people() RETURNS SETOF person LANGUAGE sql
  AS 'SELECT * FROM person';
CREATE FUNCTION register_person(first_name text, last_name text) RETURNS person LANGUAGE sql SECURITY DEFINER
  AS 'INSERT INTO person VALUES (1, first_name, last_name) RETURNING *';
