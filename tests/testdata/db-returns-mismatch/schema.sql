CREATE TABLE post (id int NOT NULL);
CREATE FUNCTION latest_post() RETURNS post LANGUAGE sql STABLE AS 'SELECT * FROM post LIMIT 1';
CREATE FUNCTION post_count() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM post';
CREATE FUNCTION headline_of(id int) RETURNS text LANGUAGE sql STABLE AS 'SELECT $$x$$';
CREATE TYPE jwt_token AS (role text, person_id int);
CREATE FUNCTION issue_token(id int) RETURNS jwt_token LANGUAGE sql STABLE AS 'SELECT ($$member$$, id)::jwt_token';
CREATE FUNCTION issue_json(id int) RETURNS jsonb LANGUAGE sql STABLE AS 'SELECT jsonb_build_object($$person_id$$, id)';
