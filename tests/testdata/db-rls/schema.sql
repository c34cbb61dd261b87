CREATE ROLE golden_rls_anon NOLOGIN;
CREATE ROLE golden_rls_owner NOLOGIN;
CREATE ROLE golden_rls_admin NOLOGIN BYPASSRLS;
-- note: row level security off, readable by the role.
CREATE TABLE note (id int NOT NULL, owner text NOT NULL, body text);
GRANT SELECT ON note TO golden_rls_anon;
-- secret: row level security on; v_secret (not security_invoker, owned by
-- a role with BYPASSRLS) reads it bypassing the policies.
CREATE TABLE secret (id int NOT NULL, owner text NOT NULL);
ALTER TABLE secret ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON secret USING (owner = current_setting('jwt.claims.sub', true));
CREATE VIEW v_secret AS SELECT id, owner FROM secret;
ALTER VIEW v_secret OWNER TO golden_rls_admin;
GRANT SELECT ON v_secret TO golden_rls_anon;
-- v_invoker reads secret as its caller, who may not SELECT it.
CREATE VIEW v_invoker WITH (security_invoker = on) AS SELECT id, owner FROM secret;
GRANT SELECT ON v_invoker TO golden_rls_anon;
-- v_owned: its owner owns the table, which does not FORCE row level security.
CREATE TABLE diary (id int NOT NULL, owner text NOT NULL);
ALTER TABLE diary ENABLE ROW LEVEL SECURITY;
ALTER TABLE diary OWNER TO golden_rls_owner;
CREATE VIEW v_owned AS SELECT id, owner FROM diary;
ALTER VIEW v_owned OWNER TO golden_rls_owner;
GRANT SELECT ON v_owned TO golden_rls_anon;
-- v_mine filters by an injected claim (seed 002): no warning.
CREATE VIEW v_mine AS SELECT id, owner, body FROM note;
GRANT SELECT ON v_mine TO golden_rls_anon;
-- board: its policy reads membership in a subquery, as the reader, who
-- may not SELECT it; the admins' policy reads audit, but applies to
-- golden_rls_admin only.
CREATE TABLE membership (board_id int NOT NULL, member text NOT NULL);
CREATE TABLE audit (board_id int NOT NULL);
CREATE TABLE board (id int NOT NULL, owner text NOT NULL);
ALTER TABLE board ENABLE ROW LEVEL SECURITY;
CREATE POLICY members ON board FOR SELECT
  USING (EXISTS (SELECT 1 FROM membership m WHERE m.board_id = board.id AND m.member = current_setting('jwt.claims.sub', true)));
CREATE POLICY admins ON board FOR SELECT TO golden_rls_admin USING (id IN (SELECT board_id FROM audit));
GRANT SELECT ON board TO golden_rls_anon;
-- pinboard: the same policy, the reader may SELECT membership.
CREATE TABLE pinboard (id int NOT NULL, owner text NOT NULL);
ALTER TABLE pinboard ENABLE ROW LEVEL SECURITY;
CREATE TABLE pin_member (board_id int NOT NULL, member text NOT NULL);
CREATE POLICY members ON pinboard FOR SELECT
  USING (EXISTS (SELECT 1 FROM pin_member m WHERE m.board_id = pinboard.id AND m.member = current_setting('jwt.claims.sub', true)));
GRANT SELECT ON pinboard, pin_member TO golden_rls_anon;
