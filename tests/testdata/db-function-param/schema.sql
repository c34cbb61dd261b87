CREATE TABLE note (id int NOT NULL, title text NOT NULL, body text);
CREATE FUNCTION create_note(p_title text, p_body text, p_owner text, p_color text DEFAULT 'grey') RETURNS note LANGUAGE sql
  AS 'INSERT INTO note VALUES (1, p_title, p_body) RETURNING *';
CREATE FUNCTION rename_note(id int, title text) RETURNS note LANGUAGE sql
  AS 'UPDATE note SET title = rename_note.title WHERE note.id = rename_note.id RETURNING *';
