CREATE SCHEMA forum;
CREATE TABLE forum.person (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE forum.post (id serial PRIMARY KEY, author_id int NOT NULL, headline text NOT NULL);
CREATE VIEW forum.v_author AS SELECT id, name FROM forum.person;
CREATE FUNCTION forum.person_label(p forum.person, style text) RETURNS text LANGUAGE sql STABLE AS $$ SELECT p.name $$;
CREATE FUNCTION forum.post_words(p forum.post) RETURNS int LANGUAGE sql STABLE AS $$ SELECT 1 $$;
CREATE FUNCTION forum.person_posts(p forum.person) RETURNS SETOF forum.post LANGUAGE sql STABLE AS $$ SELECT * FROM forum.post $$;
CREATE FUNCTION forum.touch(p forum.person) RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT 'x' $$;
