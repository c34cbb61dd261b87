-- A small issue tracker behind the README's authenticator setup (the roles
-- come from the README itself: see TestReadmeAuthenticatorSetup). Only
-- the API's roles are granted anything: the authenticator reads nothing.
CREATE SCHEMA tracker;
GRANT USAGE ON SCHEMA tracker TO api_anonymous, api_person;
CREATE TABLE tracker.issue (id int PRIMARY KEY, tenant int NOT NULL, title text NOT NULL);
INSERT INTO tracker.issue VALUES (1, 1, 'Fuel leak'), (2, 2, 'Merger');
ALTER TABLE tracker.issue ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON tracker.issue FOR SELECT
  USING (tenant = nullif(current_setting('jwt.claims.tenant', true), '')::int);
GRANT SELECT ON tracker.issue TO api_person;
CREATE FUNCTION tracker.issue_shout(i tracker.issue) RETURNS text LANGUAGE sql STABLE
  AS $$ SELECT upper(i.title) $$;
CREATE FUNCTION tracker.search_issues(q text) RETURNS SETOF tracker.issue LANGUAGE sql STABLE
  AS $$ SELECT * FROM tracker.issue WHERE title ILIKE '%' || q || '%' ORDER BY id $$;
REVOKE EXECUTE ON FUNCTION tracker.search_issues(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tracker.search_issues(text) TO api_person;
-- label is read only through v_label, a security_invoker view: as the caller.
CREATE TABLE tracker.label (id int PRIMARY KEY, tenant int NOT NULL, name text NOT NULL);
INSERT INTO tracker.label VALUES (1, 1, 'bug'), (2, 2, 'legal');
ALTER TABLE tracker.label ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON tracker.label FOR SELECT
  USING (tenant = nullif(current_setting('jwt.claims.tenant', true), '')::int);
CREATE VIEW tracker.v_label WITH (security_invoker = on) AS SELECT id, name FROM tracker.label;
GRANT SELECT ON tracker.label, tracker.v_label TO api_person;
