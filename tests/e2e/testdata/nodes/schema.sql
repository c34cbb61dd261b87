-- Two node types whose rows Row Level Security hides: a note is seen
-- by its owner only, a profile by everyone but a hidden one by its owner
-- only. The owner is the token's sub (jwt.claims.sub).
CREATE ROLE nodes_anonymous;
CREATE ROLE nodes_user;
CREATE ROLE nodes_gqlplan LOGIN;
GRANT nodes_anonymous, nodes_user TO nodes_gqlplan;
CREATE SCHEMA app;
GRANT USAGE ON SCHEMA app TO nodes_anonymous, nodes_user;

CREATE TABLE app.profile (
  id     int PRIMARY KEY,
  owner  text NOT NULL,
  name   text NOT NULL,
  hidden boolean NOT NULL DEFAULT false
);
CREATE TABLE app.note (
  id    int PRIMARY KEY,
  owner text NOT NULL,
  body  text NOT NULL
);
INSERT INTO app.profile VALUES (1, 'ada', 'Ada', false), (2, 'alan', 'Alan', true);
INSERT INTO app.note VALUES (1, 'ada', 'Ada''s note'), (2, 'alan', 'Alan''s note');
ALTER TABLE app.profile ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.note ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_profile ON app.profile FOR SELECT
  USING (NOT hidden OR owner = current_setting('jwt.claims.sub', true));
CREATE POLICY read_note ON app.note FOR SELECT
  USING (owner = current_setting('jwt.claims.sub', true));
GRANT SELECT ON app.profile, app.note TO nodes_anonymous, nodes_user;
