CREATE SCHEMA forum_example;
CREATE TABLE public.person (id int NOT NULL);
CREATE TABLE forum_example.post (id int NOT NULL);
