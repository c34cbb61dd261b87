-- The issue tracker a new user built from the README (issue 39): tenants,
-- users, projects, issues and labels, Row Level Security on the tenant
-- claim. Its rows hold every null a non-null field can meet: a nullable
-- column, a relation over a nullable key, a relation whose row RLS hides,
-- a computed field returning NULL and an enum label the GraphQL enum
-- lacks. {{auth}}, {{anon}} and {{member}} are the test's roles.
CREATE ROLE {{auth}} LOGIN NOINHERIT;
CREATE ROLE {{anon}};
CREATE ROLE {{member}};
GRANT {{anon}}, {{member}} TO {{auth}};

CREATE SCHEMA tracker;
GRANT USAGE ON SCHEMA tracker TO {{anon}}, {{member}};

CREATE TYPE tracker.issue_status AS ENUM ('open', 'closed', 'archived');

CREATE TABLE tracker.tenant (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE tracker.app_user (
  id        int PRIMARY KEY,
  tenant_id int NOT NULL REFERENCES tracker.tenant,
  name      text NOT NULL
);
CREATE TABLE tracker.project (
  id        int PRIMARY KEY,
  tenant_id int NOT NULL REFERENCES tracker.tenant,
  name      text NOT NULL,
  secret    boolean NOT NULL DEFAULT false
);
CREATE TABLE tracker.issue (
  id          int PRIMARY KEY,
  tenant_id   int NOT NULL REFERENCES tracker.tenant,
  project_id  int NOT NULL REFERENCES tracker.project,
  assignee_id int REFERENCES tracker.app_user,
  title       text NOT NULL,
  body        text,
  status      tracker.issue_status NOT NULL DEFAULT 'open',
  tags        text[]
);
CREATE TABLE tracker.label (
  id       int PRIMARY KEY,
  issue_id int NOT NULL REFERENCES tracker.issue,
  name     text
);

INSERT INTO tracker.tenant VALUES (1, 'Acme'), (2, 'Globex');
INSERT INTO tracker.app_user VALUES (1, 1, 'alice'), (2, 1, 'bob'), (3, 2, 'hank');
INSERT INTO tracker.project VALUES (1, 1, 'Rockets', false), (2, 1, 'Skunkworks', true), (3, 2, 'Plans', false);
-- Issue 1 is whole; 2 has no assignee and no body; 3 is in a project its
-- readers may not see; 4 holds a label the GraphQL enum lacks; 5 is
-- Globex's.
INSERT INTO tracker.issue VALUES
  (1, 1, 1, 1, 'Fuel leak', 'It leaks.', 'open', '{urgent,fuel}'),
  (2, 1, 1, NULL, 'Paint', NULL, 'closed', '{paint,NULL,red}'),
  (3, 1, 2, 2, 'Stealth', 'Hush.', 'open', NULL),
  (4, 1, 1, 2, 'Old', 'Done long ago.', 'archived', '{}'),
  (5, 2, 3, 3, 'Merger', 'Secret.', 'open', '{NULL}');
INSERT INTO tracker.label VALUES (1, 1, 'bug'), (2, 1, NULL), (3, 4, 'chore');

CREATE FUNCTION tracker.issue_body_len(i tracker.issue) RETURNS int
  LANGUAGE sql STABLE AS $$ SELECT length(i.body) $$;
CREATE FUNCTION tracker.issue_labels(i tracker.issue) RETURNS SETOF tracker.label
  LANGUAGE sql STABLE AS $$ SELECT * FROM tracker.label WHERE issue_id = i.id ORDER BY id $$;

ALTER TABLE tracker.app_user ENABLE ROW LEVEL SECURITY;
ALTER TABLE tracker.project ENABLE ROW LEVEL SECURITY;
ALTER TABLE tracker.issue ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_user ON tracker.app_user FOR SELECT
  USING (tenant_id = nullif(current_setting('jwt.claims.tenant_id', true), '')::int);
-- A secret project is hidden even from its tenant: its issues are not.
CREATE POLICY tenant_project ON tracker.project FOR SELECT
  USING (tenant_id = nullif(current_setting('jwt.claims.tenant_id', true), '')::int AND NOT secret);
CREATE POLICY tenant_issue ON tracker.issue FOR SELECT
  USING (tenant_id = nullif(current_setting('jwt.claims.tenant_id', true), '')::int);
GRANT SELECT ON ALL TABLES IN SCHEMA tracker TO {{member}};
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tracker TO {{member}};
