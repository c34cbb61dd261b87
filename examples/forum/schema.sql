-- The forum of the PostGraphile tutorial (seed 001): people and posts in
-- forum_example, accounts in forum_example_private (never exposed), JWT
-- roles, and Row Level Security reading the claims gqlplan sets
-- (current_setting('jwt.claims.person_id')).
--
-- Roles are cluster-wide, so they are created only if missing.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'forum_example_anonymous') THEN
    CREATE ROLE forum_example_anonymous;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'forum_example_person') THEN
    CREATE ROLE forum_example_person;
  END IF;
  -- The login role gqlplan serve connects as; it can become the others.
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'forum_example_gqlplan') THEN
    CREATE ROLE forum_example_gqlplan LOGIN;
  END IF;
END $$;
GRANT forum_example_anonymous, forum_example_person TO forum_example_gqlplan;

CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE SCHEMA forum_example;
CREATE SCHEMA forum_example_private;

ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

CREATE TABLE forum_example.person (
  id         serial PRIMARY KEY,
  first_name text NOT NULL CHECK (char_length(first_name) < 80),
  last_name  text CHECK (char_length(last_name) < 80),
  about      text,
  created_at timestamp DEFAULT now(),
  updated_at timestamp DEFAULT now()
);
COMMENT ON TABLE forum_example.person IS 'A user of the forum.';
COMMENT ON COLUMN forum_example.person.id IS 'The primary unique identifier for the person.';
COMMENT ON COLUMN forum_example.person.first_name IS 'The person’s first name.';
COMMENT ON COLUMN forum_example.person.last_name IS 'The person’s last name.';
COMMENT ON COLUMN forum_example.person.about IS 'A short description about the user, written by the user.';
COMMENT ON COLUMN forum_example.person.created_at IS 'The time this person was created.';
COMMENT ON COLUMN forum_example.person.updated_at IS 'The time this person was last updated.';

CREATE TYPE forum_example.post_topic AS ENUM ('discussion', 'inspiration', 'help', 'showcase');

CREATE TABLE forum_example.post (
  id         serial PRIMARY KEY,
  author_id  integer NOT NULL REFERENCES forum_example.person(id),
  headline   text NOT NULL CHECK (char_length(headline) < 280),
  body       text,
  topic      forum_example.post_topic,
  created_at timestamp DEFAULT now(),
  updated_at timestamp DEFAULT now()
);
CREATE INDEX post_author_id_idx ON forum_example.post (author_id);
COMMENT ON TABLE forum_example.post IS 'A forum post written by a user.';
COMMENT ON COLUMN forum_example.post.id IS 'The primary key for the post.';
COMMENT ON COLUMN forum_example.post.headline IS 'The title written by the user.';
COMMENT ON COLUMN forum_example.post.author_id IS 'The id of the author user.';
COMMENT ON COLUMN forum_example.post.topic IS 'The topic this has been posted in.';
COMMENT ON COLUMN forum_example.post.body IS 'The main body text of our post.';
COMMENT ON COLUMN forum_example.post.created_at IS 'The time this post was created.';
COMMENT ON COLUMN forum_example.post.updated_at IS 'The time this post was last updated.';

-- The tutorial's triggers: updated_at follows every update.
CREATE FUNCTION forum_example_private.set_updated_at() RETURNS trigger AS $$
BEGIN
  new.updated_at := current_timestamp;
  RETURN new;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER person_updated_at BEFORE UPDATE ON forum_example.person
  FOR EACH ROW EXECUTE PROCEDURE forum_example_private.set_updated_at();
CREATE TRIGGER post_updated_at BEFORE UPDATE ON forum_example.post
  FOR EACH ROW EXECUTE PROCEDURE forum_example_private.set_updated_at();

CREATE TABLE forum_example_private.person_account (
  person_id     integer PRIMARY KEY REFERENCES forum_example.person(id) ON DELETE CASCADE,
  email         text NOT NULL UNIQUE CHECK (email ~* '^.+@.+\..+$'),
  password_hash text NOT NULL
);
COMMENT ON TABLE forum_example_private.person_account IS 'Private information about a person’s account.';
COMMENT ON COLUMN forum_example_private.person_account.person_id IS 'The id of the person associated with this account.';
COMMENT ON COLUMN forum_example_private.person_account.email IS 'The email address of the person.';
COMMENT ON COLUMN forum_example_private.person_account.password_hash IS 'An opaque hash of the person’s password.';

CREATE TYPE forum_example.jwt_token AS (
  role      text,
  person_id integer,
  exp       bigint
);

CREATE FUNCTION forum_example.search_posts(search text) RETURNS SETOF forum_example.post AS $$
  SELECT post.*
  FROM forum_example.post AS post
  WHERE post.headline ILIKE ('%' || search || '%') OR post.body ILIKE ('%' || search || '%')
$$ LANGUAGE sql STABLE;
COMMENT ON FUNCTION forum_example.search_posts(text) IS 'Returns posts containing a given search term.';

-- Computed fields (seed 001): functions taking a row. Their bodies are
-- SQL-standard (RETURN, BEGIN ATOMIC), which PostgreSQL parses when they
-- are created and so records what they read: a subscription that selects
-- them is read again only when those tables change (gqlplan triggers).
CREATE FUNCTION forum_example.person_full_name(person forum_example.person) RETURNS text LANGUAGE sql STABLE
  RETURN person.first_name || ' ' || person.last_name;
COMMENT ON FUNCTION forum_example.person_full_name(forum_example.person) IS 'A person’s full name which is a concatenation of their first and last name.';

CREATE FUNCTION forum_example.post_summary(
  post forum_example.post,
  length int DEFAULT 50,
  omission text DEFAULT '…'
) RETURNS text LANGUAGE sql STABLE
  RETURN CASE
    WHEN post.body IS NULL THEN NULL
    ELSE substr(post.body, 0, length) || omission
  END;
COMMENT ON FUNCTION forum_example.post_summary(forum_example.post, int, text) IS 'A truncated version of the body for summaries.';

CREATE FUNCTION forum_example.person_latest_post(person forum_example.person) RETURNS forum_example.post LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT post.*
  FROM forum_example.post AS post
  WHERE post.author_id = person.id
  ORDER BY created_at DESC
  LIMIT 1;
END;
COMMENT ON FUNCTION forum_example.person_latest_post(forum_example.person) IS 'Gets the latest post written by the person.';

CREATE FUNCTION forum_example.current_person() RETURNS forum_example.person AS $$
  SELECT *
  FROM forum_example.person
  WHERE id = nullif(current_setting('jwt.claims.person_id', true), '')::integer
$$ LANGUAGE sql STABLE;
COMMENT ON FUNCTION forum_example.current_person() IS 'Gets the person who was identified by our JWT.';

-- SECURITY DEFINER functions run with their owner's rights: each fixes its
-- search_path, so objects a caller creates cannot stand in for the ones it
-- uses (gqlplan check warns about one that does not).
CREATE FUNCTION forum_example.register_person(first_name text, last_name text, email text, password text)
RETURNS forum_example.person AS $$
DECLARE
  person forum_example.person;
BEGIN
  INSERT INTO forum_example.person (first_name, last_name) VALUES (first_name, last_name)
    RETURNING * INTO person;
  INSERT INTO forum_example_private.person_account (person_id, email, password_hash)
    VALUES (person.id, email, public.crypt(password, public.gen_salt('bf')));
  RETURN person;
END;
$$ LANGUAGE plpgsql STRICT SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION forum_example.register_person(text, text, text, text) IS 'Registers a single user and creates an account in our forum.';

CREATE FUNCTION forum_example.authenticate(email text, password text) RETURNS forum_example.jwt_token AS $$
  SELECT ('forum_example_person', a.person_id, extract(epoch FROM now() + interval '7 days')::bigint)::forum_example.jwt_token
  FROM forum_example_private.person_account AS a
  WHERE a.email = authenticate.email AND a.password_hash = public.crypt(authenticate.password, a.password_hash)
$$ LANGUAGE sql STRICT STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION forum_example.authenticate(text, text) IS 'Creates a JWT token that will securely identify a person and give them certain permissions.';

CREATE FUNCTION forum_example.change_password(current_password text, new_password text) RETURNS boolean AS $$
DECLARE
  me forum_example.person := forum_example.current_person();
BEGIN
  UPDATE forum_example_private.person_account
  SET password_hash = public.crypt(new_password, public.gen_salt('bf'))
  WHERE person_id = me.id AND password_hash = public.crypt(current_password, password_hash);
  RETURN FOUND;
END;
$$ LANGUAGE plpgsql STRICT SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION forum_example.change_password(text, text) IS 'Changes the caller’s password; false when the current one is wrong.';

-- The table mutations PostGraphile derives (createPost, updatePostById,
-- deletePostById), written out. They run with the caller's rights
-- (SECURITY INVOKER), so the grants and the RLS policies below decide:
-- an anonymous caller is denied the table, a person writing as another
-- author fails insert_post's check, and another's post is invisible to
-- UPDATE and DELETE (null, nothing changed).
CREATE FUNCTION forum_example.create_post(author_id integer, headline text, body text, topic forum_example.post_topic)
RETURNS forum_example.post AS $$
  INSERT INTO forum_example.post (author_id, headline, body, topic)
  VALUES (create_post.author_id, create_post.headline, create_post.body, create_post.topic)
  RETURNING *
$$ LANGUAGE sql VOLATILE;
COMMENT ON FUNCTION forum_example.create_post(integer, text, text, forum_example.post_topic) IS 'Writes a post; the author must be the person of the token.';

-- The patch's keys say what changes: a key left out keeps the column's
-- value, a null one sets it NULL (headline is NOT NULL: refused).
CREATE FUNCTION forum_example.update_post(id integer, patch jsonb)
RETURNS forum_example.post AS $$
  UPDATE forum_example.post AS post
  SET headline = CASE WHEN patch ? 'headline' THEN patch->>'headline' ELSE post.headline END,
      body = CASE WHEN patch ? 'body' THEN patch->>'body' ELSE post.body END,
      topic = CASE WHEN patch ? 'topic' THEN (patch->>'topic')::forum_example.post_topic ELSE post.topic END
  WHERE post.id = update_post.id
  RETURNING post.*
$$ LANGUAGE sql VOLATILE;
COMMENT ON FUNCTION forum_example.update_post(integer, jsonb) IS 'Edits one of the caller’s posts; null when there is no such post of theirs.';

CREATE FUNCTION forum_example.delete_post(id integer) RETURNS forum_example.post AS $$
  DELETE FROM forum_example.post AS post WHERE post.id = delete_post.id RETURNING post.*
$$ LANGUAGE sql VOLATILE;
COMMENT ON FUNCTION forum_example.delete_post(integer) IS 'Deletes one of the caller’s posts and returns it; null when there is no such post of theirs.';

GRANT USAGE ON SCHEMA forum_example TO forum_example_anonymous, forum_example_person;
GRANT SELECT ON TABLE forum_example.person TO forum_example_anonymous, forum_example_person;
GRANT UPDATE, DELETE ON TABLE forum_example.person TO forum_example_person;
GRANT SELECT ON TABLE forum_example.post TO forum_example_anonymous, forum_example_person;
GRANT INSERT, UPDATE, DELETE ON TABLE forum_example.post TO forum_example_person;
GRANT USAGE ON SEQUENCE forum_example.post_id_seq TO forum_example_person;
GRANT EXECUTE ON FUNCTION forum_example.search_posts(text) TO forum_example_anonymous, forum_example_person;
GRANT EXECUTE ON FUNCTION forum_example.current_person() TO forum_example_anonymous, forum_example_person;
GRANT EXECUTE ON FUNCTION forum_example.person_full_name(forum_example.person) TO forum_example_anonymous, forum_example_person;
GRANT EXECUTE ON FUNCTION forum_example.post_summary(forum_example.post, int, text) TO forum_example_anonymous, forum_example_person;
GRANT EXECUTE ON FUNCTION forum_example.person_latest_post(forum_example.person) TO forum_example_anonymous, forum_example_person;
GRANT EXECUTE ON FUNCTION forum_example.authenticate(text, text) TO forum_example_anonymous, forum_example_person;
GRANT EXECUTE ON FUNCTION forum_example.register_person(text, text, text, text) TO forum_example_anonymous;
GRANT EXECUTE ON FUNCTION forum_example.change_password(text, text) TO forum_example_person;
-- Anonymous callers may call create_post: the table grant refuses them,
-- with the tutorial's "permission denied for table post".
GRANT EXECUTE ON FUNCTION forum_example.create_post(integer, text, text, forum_example.post_topic) TO forum_example_anonymous, forum_example_person;
GRANT EXECUTE ON FUNCTION forum_example.update_post(integer, jsonb) TO forum_example_person;
GRANT EXECUTE ON FUNCTION forum_example.delete_post(integer) TO forum_example_person;

ALTER TABLE forum_example.person ENABLE ROW LEVEL SECURITY;
ALTER TABLE forum_example.post ENABLE ROW LEVEL SECURITY;

CREATE POLICY select_person ON forum_example.person FOR SELECT USING (true);
CREATE POLICY select_post ON forum_example.post FOR SELECT USING (true);
CREATE POLICY update_person ON forum_example.person FOR UPDATE TO forum_example_person
  USING (id = nullif(current_setting('jwt.claims.person_id', true), '')::integer);
CREATE POLICY delete_person ON forum_example.person FOR DELETE TO forum_example_person
  USING (id = nullif(current_setting('jwt.claims.person_id', true), '')::integer);
CREATE POLICY insert_post ON forum_example.post FOR INSERT TO forum_example_person
  WITH CHECK (author_id = nullif(current_setting('jwt.claims.person_id', true), '')::integer);
CREATE POLICY update_post ON forum_example.post FOR UPDATE TO forum_example_person
  USING (author_id = nullif(current_setting('jwt.claims.person_id', true), '')::integer);
CREATE POLICY delete_post ON forum_example.post FOR DELETE TO forum_example_person
  USING (author_id = nullif(current_setting('jwt.claims.person_id', true), '')::integer);
