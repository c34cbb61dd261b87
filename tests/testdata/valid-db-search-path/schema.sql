CREATE SCHEMA api;
CREATE TABLE public.person (id int NOT NULL);
CREATE TABLE api.person (id uuid PRIMARY KEY, name varchar(80) NOT NULL, tenant text NOT NULL);
CREATE FUNCTION api.rename_person(p_id uuid, p_name varchar, p_tenant text) RETURNS api.person LANGUAGE sql
  AS 'UPDATE api.person SET name = p_name WHERE id = p_id AND tenant = p_tenant RETURNING *';
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = api, public', current_database()); END $$;
