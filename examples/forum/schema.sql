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
  created_at timestamp DEFAULT now()
);
COMMENT ON TABLE forum_example.person IS 'A user of the forum.';

CREATE TYPE forum_example.post_topic AS ENUM ('discussion', 'inspiration', 'help', 'showcase');

CREATE TABLE forum_example.post (
  id         serial PRIMARY KEY,
  author_id  integer NOT NULL REFERENCES forum_example.person(id),
  headline   text NOT NULL CHECK (char_length(headline) < 280),
  body       text,
  topic      forum_example.post_topic,
  created_at timestamp DEFAULT now()
);
CREATE INDEX post_author_id_idx ON forum_example.post (author_id);
COMMENT ON TABLE forum_example.post IS 'A forum post written by a user.';

CREATE TABLE forum_example_private.person_account (
  person_id     integer PRIMARY KEY REFERENCES forum_example.person(id) ON DELETE CASCADE,
  email         text NOT NULL UNIQUE CHECK (email ~* '^.+@.+\..+$'),
  password_hash text NOT NULL
);

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

-- Computed fields (seed 001): functions taking a row.
CREATE FUNCTION forum_example.person_full_name(person forum_example.person) RETURNS text AS $$
  SELECT person.first_name || ' ' || person.last_name
$$ LANGUAGE sql STABLE;
COMMENT ON FUNCTION forum_example.person_full_name(forum_example.person) IS 'A person’s full name which is a concatenation of their first and last name.';

CREATE FUNCTION forum_example.post_summary(
  post forum_example.post,
  length int DEFAULT 50,
  omission text DEFAULT '…'
) RETURNS text AS $$
  SELECT CASE
    WHEN post.body IS NULL THEN NULL
    ELSE substr(post.body, 0, length) || omission
  END
$$ LANGUAGE sql STABLE;
COMMENT ON FUNCTION forum_example.post_summary(forum_example.post, int, text) IS 'A truncated version of the body for summaries.';

CREATE FUNCTION forum_example.person_latest_post(person forum_example.person) RETURNS forum_example.post AS $$
  SELECT post.*
  FROM forum_example.post AS post
  WHERE post.author_id = person.id
  ORDER BY created_at DESC
  LIMIT 1
$$ LANGUAGE sql STABLE;
COMMENT ON FUNCTION forum_example.person_latest_post(forum_example.person) IS 'Gets the latest post written by the person.';

CREATE FUNCTION forum_example.current_person() RETURNS forum_example.person AS $$
  SELECT *
  FROM forum_example.person
  WHERE id = nullif(current_setting('jwt.claims.person_id', true), '')::integer
$$ LANGUAGE sql STABLE;

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

CREATE FUNCTION forum_example.authenticate(email text, password text) RETURNS forum_example.jwt_token AS $$
  SELECT ('forum_example_person', a.person_id, extract(epoch FROM now() + interval '7 days')::bigint)::forum_example.jwt_token
  FROM forum_example_private.person_account AS a
  WHERE a.email = authenticate.email AND a.password_hash = public.crypt(authenticate.password, a.password_hash)
$$ LANGUAGE sql STRICT STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

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

-- A post is always written by the person of the token: the function takes
-- no author, and the RLS policy below checks the row it inserts.
CREATE FUNCTION forum_example.create_post(headline text, body text, topic forum_example.post_topic)
RETURNS forum_example.post AS $$
  INSERT INTO forum_example.post (author_id, headline, body, topic)
  VALUES (nullif(current_setting('jwt.claims.person_id', true), '')::integer, headline, body, topic)
  RETURNING *
$$ LANGUAGE sql;

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
GRANT EXECUTE ON FUNCTION forum_example.create_post(text, text, forum_example.post_topic) TO forum_example_person;

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
