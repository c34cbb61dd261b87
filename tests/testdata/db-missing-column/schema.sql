CREATE SCHEMA forum_example;
CREATE TABLE forum_example.post (id int NOT NULL, author_id int NOT NULL, headline text NOT NULL, created_at timestamptz NOT NULL);
CREATE VIEW forum_example.v_post AS SELECT * FROM forum_example.post;
