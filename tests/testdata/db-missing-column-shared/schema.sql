CREATE TABLE issue (id int PRIMARY KEY, assignee_id int, title text NOT NULL);
CREATE VIEW open_issue AS SELECT * FROM issue;
