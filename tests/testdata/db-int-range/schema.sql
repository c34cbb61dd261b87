CREATE TABLE post (id int NOT NULL, author_id int NOT NULL);
CREATE VIEW post_count AS SELECT author_id, count(*) AS posts, sum(id) AS id_sum FROM post GROUP BY author_id;
