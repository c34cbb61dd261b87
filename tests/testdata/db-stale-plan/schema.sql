-- After a migration: headline renamed, body widened to varchar, search_posts gone.
CREATE TABLE post (id int NOT NULL, title text NOT NULL, body varchar(200));
