CREATE SCHEMA app;
CREATE TYPE app.post_topic AS ENUM ('discussion', 'help');
CREATE TABLE app.post (id int NOT NULL, topic app.post_topic NOT NULL);
