CREATE TABLE doc (id uuid NOT NULL, owner_id uuid NOT NULL, tenant text NOT NULL, title text NOT NULL);
CREATE FUNCTION create_doc(p_title text, p_owner uuid) RETURNS doc LANGUAGE sql
  AS 'INSERT INTO doc VALUES (gen_random_uuid(), p_owner, $$t$$, p_title) RETURNING *';
