CREATE TABLE person (id int NOT NULL);
CREATE FUNCTION register(id int) RETURNS person LANGUAGE sql SECURITY DEFINER
  AS 'INSERT INTO person VALUES (id) RETURNING *';
CREATE FUNCTION register_safely(id int) RETURNS person LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
  AS 'INSERT INTO person VALUES (id) RETURNING *';
