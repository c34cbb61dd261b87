CREATE ROLE golden_rlsd_user NOLOGIN;
CREATE ROLE golden_rlsd_owner NOLOGIN;
CREATE ROLE golden_rlsd_forced NOLOGIN;
-- issue: row level security on, without FORCE, owned by golden_rlsd_owner.
CREATE TABLE issue (id int NOT NULL, tenant int NOT NULL, title text NOT NULL);
ALTER TABLE issue ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON issue USING (tenant = current_setting('jwt.claims.tenant', true)::int);
ALTER TABLE issue OWNER TO golden_rlsd_owner;
GRANT SELECT ON issue TO golden_rlsd_user;
-- forced: row level security FORCEd, so its owner is subject to it too.
CREATE TABLE forced (id int NOT NULL, tenant int NOT NULL, title text NOT NULL);
ALTER TABLE forced ENABLE ROW LEVEL SECURITY;
ALTER TABLE forced FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON forced USING (tenant = current_setting('jwt.claims.tenant', true)::int);
ALTER TABLE forced OWNER TO golden_rlsd_forced;
-- note: row level security off.
CREATE TABLE note (id int NOT NULL, tenant int NOT NULL, title text NOT NULL);
GRANT SELECT ON note TO golden_rlsd_user;

-- A superuser's definer function: whatever its body, it reads every row.
CREATE FUNCTION search_issues(q text) RETURNS SETOF issue LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = public, pg_temp
  AS 'SELECT * FROM issue WHERE title LIKE q';
-- The same, reviewed: acknowledged by rls_bypass.
CREATE FUNCTION search_reviewed(q text) RETURNS SETOF issue LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = public, pg_temp
  AS 'SELECT * FROM issue WHERE title LIKE q';
-- Owned by the table's owner, which does not FORCE row level security;
-- its BEGIN ATOMIC body names the table.
CREATE FUNCTION search_owned(q text) RETURNS SETOF issue LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = public, pg_temp
  BEGIN ATOMIC SELECT * FROM issue WHERE title LIKE q; END;
ALTER FUNCTION search_owned(text) OWNER TO golden_rlsd_owner;
-- Owned by the owner of a table that FORCEs row level security: subject to it.
CREATE FUNCTION search_forced(q text) RETURNS SETOF forced LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = public, pg_temp
  BEGIN ATOMIC SELECT * FROM forced WHERE title LIKE q; END;
ALTER FUNCTION search_forced(text) OWNER TO golden_rlsd_forced;
-- An invoker function whose BEGIN ATOMIC body reads a table without row
-- level security: followed like a view.
CREATE FUNCTION search_notes(q text) RETURNS SETOF note LANGUAGE sql STABLE
  BEGIN ATOMIC SELECT * FROM note WHERE title LIKE q; END;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO golden_rlsd_user;
