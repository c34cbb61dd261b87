CREATE SCHEMA app;
CREATE TYPE app.post_topic AS ENUM ('discussion', 'inspiration', 'help', 'showcase');
CREATE TYPE app.order_status AS ENUM ('open', 'paid');
CREATE TABLE app.post (id int NOT NULL, topic app.post_topic NOT NULL, status app.order_status NOT NULL);
