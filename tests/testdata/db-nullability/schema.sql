CREATE TABLE person (id int PRIMARY KEY, nickname text, about text);
CREATE VIEW v_person AS SELECT * FROM person;
