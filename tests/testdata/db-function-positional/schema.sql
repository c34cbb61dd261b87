CREATE TABLE note (id int NOT NULL, title text NOT NULL);
CREATE FUNCTION create_note(text, text) RETURNS note LANGUAGE sql
  AS 'INSERT INTO note VALUES (1, $1 || $2) RETURNING *';
