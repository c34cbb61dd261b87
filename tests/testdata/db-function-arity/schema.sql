CREATE TABLE post (id int NOT NULL, headline text NOT NULL);
CREATE FUNCTION create_post(headline text, body text, author_id int) RETURNS post LANGUAGE sql
  AS 'INSERT INTO post VALUES (1, headline) RETURNING *';
CREATE FUNCTION create_post(headline text) RETURNS post LANGUAGE sql
  AS 'INSERT INTO post VALUES (1, headline) RETURNING *';
CREATE FUNCTION search(term text, lim int DEFAULT 10) RETURNS SETOF post LANGUAGE sql STABLE
  AS 'SELECT * FROM post LIMIT lim';
