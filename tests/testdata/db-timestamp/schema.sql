CREATE TABLE entry (id int NOT NULL, at timestamp NOT NULL, logged timestamptz NOT NULL);
