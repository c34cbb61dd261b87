CREATE TABLE app_user (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE project (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE label (id int PRIMARY KEY, name text NOT NULL);
ALTER TABLE project ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON project FOR SELECT USING (id = current_setting('jwt.claims.project_id', true)::int);
-- Everyone reads every label: row security hides none.
ALTER TABLE label ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone ON label FOR SELECT USING (true);
CREATE TABLE issue (
  id int PRIMARY KEY,
  assignee_id int REFERENCES app_user,
  project_id int NOT NULL REFERENCES project,
  label_id int NOT NULL REFERENCES label,
  body text
);
CREATE FUNCTION issue_body_len(i issue) RETURNS int LANGUAGE sql STABLE AS $$ SELECT length(i.body) $$;
