CREATE SCHEMA forum;
CREATE TYPE forum.topic AS ENUM ('discussion', 'help');
CREATE TABLE forum.person (
  id         serial PRIMARY KEY,
  first_name text NOT NULL,
  last_name  text
);
CREATE TABLE forum.post (
  id         serial PRIMARY KEY,
  author_id  int NOT NULL REFERENCES forum.person,
  headline   text NOT NULL,
  topic      forum.topic,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION forum.person_full_name(p forum.person) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT p.first_name || ' ' || p.last_name $$;
CREATE FUNCTION forum.person_latest_post(p forum.person) RETURNS forum.post
LANGUAGE sql STABLE AS $$ SELECT * FROM forum.post WHERE author_id = p.id ORDER BY id DESC LIMIT 1 $$;
CREATE FUNCTION forum.post_summary(p forum.post, length int DEFAULT 50, omission text DEFAULT '…') RETURNS text
LANGUAGE sql STABLE AS $$ SELECT left(p.headline, length) || omission $$;
CREATE FUNCTION forum.search_posts(search text) RETURNS SETOF forum.post
LANGUAGE sql STABLE AS $$ SELECT * FROM forum.post WHERE headline ILIKE '%' || search || '%' $$;
