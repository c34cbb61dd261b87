CREATE SCHEMA live;
CREATE TABLE live.person (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE live.post (id serial PRIMARY KEY, author_id int NOT NULL REFERENCES live.person, headline text NOT NULL);
CREATE TABLE live.comment (id serial PRIMARY KEY, post_id int NOT NULL REFERENCES live.post, body text NOT NULL);
CREATE TABLE live.tag (post_id int NOT NULL, label text NOT NULL);
-- A view over two tables: a subscription to it reads both.
CREATE VIEW live.post_with_tags WITH (security_invoker = true) AS
  SELECT p.id, p.author_id, p.headline, (SELECT count(*) FROM live.tag t WHERE t.post_id = p.id)::int AS tags FROM live.post p;
-- BEGIN ATOMIC: PostgreSQL records that it reads live.comment.
CREATE FUNCTION live.post_comment_count(p live.post_with_tags) RETURNS int LANGUAGE sql STABLE
  BEGIN ATOMIC SELECT count(*)::int FROM live.comment c WHERE c.post_id = p.id; END;
-- PL/pgSQL: what it reads is a string until it runs.
CREATE FUNCTION live.person_score(p live.person) RETURNS int LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN (SELECT count(*) FROM live.comment); END $$;

-- Row security: what a subscriber sees of live.post depends on the claims
-- person_id (the policy) and team (a BEGIN ATOMIC function it calls).
CREATE FUNCTION live.on_my_team(author int) RETURNS boolean LANGUAGE sql STABLE
  BEGIN ATOMIC SELECT author::text = current_setting('jwt.claims.team', true); END;
ALTER TABLE live.post ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON live.post FOR SELECT
  USING (author_id = nullif(current_setting('jwt.claims.person_id', true), '')::int OR live.on_my_team(author_id));
-- A policy's subquery: a change to live.follow changes which posts a
-- subscriber sees, so it is read too (an INSERT policy's is not).
CREATE TABLE live.follow (follower int NOT NULL, author_id int NOT NULL);
CREATE TABLE live.ban (author_id int NOT NULL);
CREATE POLICY followed ON live.post FOR SELECT
  USING (EXISTS (SELECT 1 FROM live.follow f WHERE f.author_id = post.author_id AND f.follower::text = current_setting('jwt.claims.person_id', true)));
CREATE POLICY not_banned ON live.post FOR INSERT WITH CHECK (author_id NOT IN (SELECT author_id FROM live.ban));
-- A policy reading the whole claim set: every claim may matter.
CREATE TABLE live.secret (id serial PRIMARY KEY, owner text NOT NULL);
ALTER TABLE live.secret ENABLE ROW LEVEL SECURITY;
CREATE POLICY owner ON live.secret USING (owner = current_setting('request.jwt.claims', true)::jsonb ->> 'sub');

-- What "gqlplan triggers" writes, for live.post and live.tag only.
CREATE SCHEMA gqlplan;
CREATE FUNCTION gqlplan.notify_change() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog
  AS $$ BEGIN PERFORM pg_notify('gqlplan_changes', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME); RETURN NULL; END $$;
CREATE TRIGGER gqlplan_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON live.post
  FOR EACH STATEMENT EXECUTE FUNCTION gqlplan.notify_change();
CREATE TRIGGER gqlplan_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON live.tag
  FOR EACH STATEMENT EXECUTE FUNCTION gqlplan.notify_change();
-- A row-level trigger, and one missing TRUNCATE, do not count.
CREATE TRIGGER gqlplan_notify_change AFTER INSERT OR UPDATE OR DELETE ON live.comment
  FOR EACH STATEMENT EXECUTE FUNCTION gqlplan.notify_change();
