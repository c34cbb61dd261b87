-- The runtime's test database. {{auth}}, {{anon}} and {{member}} are
-- replaced by role names unique to the test (roles are cluster-wide).
CREATE ROLE {{auth}} LOGIN NOINHERIT;
CREATE ROLE {{anon}};
CREATE ROLE {{member}};
GRANT {{anon}}, {{member}} TO {{auth}};

CREATE SCHEMA shop;
GRANT USAGE ON SCHEMA shop TO {{anon}}, {{member}};

CREATE TYPE shop.color AS ENUM ('red', 'green', 'dark_blue');

-- Columns shape: a table.
CREATE TABLE shop.person (
  id         serial PRIMARY KEY,
  first_name text NOT NULL,
  last_name  text,
  email      text UNIQUE CHECK (email LIKE '%@%'),
  color      shop.color,
  balance    bigint NOT NULL DEFAULT 0,
  score      numeric(10, 2),
  tags       text[] NOT NULL DEFAULT '{}',
  address    jsonb,
  created_at timestamptz NOT NULL DEFAULT '2024-01-02T03:04:05Z'
);
INSERT INTO shop.person (first_name, last_name, email, color, balance, score, tags, address) VALUES
  ('Ada', 'Lovelace', 'ada@example.com', 'dark_blue', 9007199254740993, 12.50, '{math,poetry}', '{"city": "London", "zip": "W1", "lines": [{"text": "12 St James Sq"}]}'),
  ('Alan', 'Turing', 'alan@example.com', 'green', 2, NULL, '{}', NULL),
  ('Grace', NULL, 'grace@example.com', NULL, 3, 1.00, '{navy}', '{"city": "Arlington"}');
GRANT SELECT ON shop.person TO {{anon}}, {{member}};

-- Row Level Security reading the claim the runtime sets.
CREATE TABLE shop.post (
  id        serial PRIMARY KEY,
  author_id int NOT NULL REFERENCES shop.person,
  title     text NOT NULL CHECK (title <> ''),
  secret    boolean NOT NULL DEFAULT false
);
INSERT INTO shop.post (author_id, title, secret) VALUES (1, 'Notes on the engine', false), (1, 'Ada private', true), (2, 'Computable numbers', false), (2, 'Alan private', true);
ALTER TABLE shop.post ENABLE ROW LEVEL SECURITY;
CREATE POLICY post_read ON shop.post FOR SELECT
  USING (NOT secret OR author_id = nullif(current_setting('jwt.claims.person_id', true), '')::int);
CREATE POLICY post_write ON shop.post FOR INSERT TO {{member}}
  WITH CHECK (author_id = nullif(current_setting('jwt.claims.person_id', true), '')::int);
GRANT SELECT ON shop.post TO {{anon}}, {{member}};
GRANT INSERT ON shop.post TO {{member}};
GRANT USAGE ON SEQUENCE shop.post_id_seq TO {{member}};

-- A composite key: a node whose global id holds two values.
CREATE TABLE shop.shelf (
  room     text NOT NULL,
  position int NOT NULL,
  label    text NOT NULL,
  PRIMARY KEY (room, position)
);
INSERT INTO shop.shelf VALUES ('hall', 1, 'umbrellas'), ('hall', 2, 'hats'), ('attic', 1, 'boxes');
GRANT SELECT ON shop.shelf TO {{anon}}, {{member}};

-- Rows of several types, for a union and an interface: each names its
-- type and holds that type's key.
CREATE VIEW shop.things AS
  SELECT 'Member' AS typename, id, NULL::text AS room, NULL::int AS position FROM shop.person
  UNION ALL SELECT 'Article', id, NULL, NULL FROM shop.post
  UNION ALL SELECT 'Shelf', NULL, room, position FROM shop.shelf
  UNION ALL SELECT 'Gone', 1, NULL, NULL;
CREATE VIEW shop.titled AS SELECT 'Article' AS kind, id FROM shop.post;
GRANT SELECT ON shop.things, shop.titled TO {{anon}}, {{member}};

-- JSONB shape (FraiseQL style): the object in data, owner_id to filter on.
CREATE TABLE shop.note (
  id       int PRIMARY KEY,
  owner_id text NOT NULL,
  body     text NOT NULL,
  color    shop.color NOT NULL,
  stars    bigint NOT NULL
);
INSERT INTO shop.note VALUES (1, 'ada', 'first', 'red', 5), (2, 'ada', 'second', 'dark_blue', 12345678901234), (3, 'alan', 'third', 'green', 1);
CREATE VIEW shop.v_note AS
SELECT n.id, n.owner_id,
       jsonb_build_object('id', n.id, 'body', n.body, 'color', n.color, 'stars', n.stars,
                          'meta', jsonb_build_object('length', length(n.body), 'owner', jsonb_build_object('name', n.owner_id)),
                          'labels', jsonb_build_array(jsonb_build_object('name', 'x', 'color', 'red'), jsonb_build_object('name', 'y', 'color', 'dark_blue'))) AS data
FROM shop.note n;
GRANT SELECT ON shop.v_note TO {{anon}}, {{member}};

-- The role and claims a request runs with, as the database sees them.
CREATE VIEW shop.v_session AS
SELECT current_user::text AS role,
       nullif(current_setting('jwt.claims.person_id', true), '') AS person_id,
       nullif(current_setting('jwt.claims.sub', true), '') AS sub,
       nullif(current_setting('request.jwt.claims', true), '')::jsonb AS claims,
       current_setting('transaction_read_only') AS read_only,
       current_setting('statement_timeout') AS statement_timeout,
       nullif(current_setting('app.tenant', true), '') AS tenant;
GRANT SELECT ON shop.v_session TO {{anon}}, {{member}};

-- Per-role settings, which a role switch does not apply by itself: the
-- runtime applies them, those for this database last.
ALTER ROLE {{member}} SET app.tenant = 'acme';
ALTER ROLE {{member}} SET work_mem = '8MB';
-- Only a superuser may set this one: requests must skip it, not fail.
ALTER ROLE {{member}} SET log_min_duration_statement = '10s';
DO $$ BEGIN
  EXECUTE format('ALTER ROLE %I IN DATABASE %I SET app.tenant = %L', '{{member}}', current_database(), 'acme-here');
END $$;

-- A slow query, for statement timeouts.
CREATE FUNCTION shop.slow(seconds float8) RETURNS SETOF shop.person
LANGUAGE sql STABLE AS $$ SELECT p.* FROM shop.person p, pg_sleep(seconds) $$;
GRANT EXECUTE ON FUNCTION shop.slow(float8) TO {{anon}}, {{member}};
-- A query that fails as the function says.
CREATE FUNCTION shop.raise_in_query(message text) RETURNS SETOF shop.person
LANGUAGE plpgsql STABLE AS $$ BEGIN RAISE EXCEPTION '%', message; END $$;
GRANT EXECUTE ON FUNCTION shop.raise_in_query(text) TO {{anon}}, {{member}};

-- Token issuance (seed 001): the row is the claims of the token.
CREATE TYPE shop.jwt_token AS (role text, person_id int);
CREATE FUNCTION shop.login(p_id int) RETURNS shop.jwt_token
LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT ('{{member}}', p.id)::shop.jwt_token FROM shop.person p WHERE p.id = p_id
$$;
CREATE FUNCTION shop.login_json(p_id int) RETURNS jsonb
LANGUAGE sql STABLE AS $$ SELECT jsonb_build_object('role', '{{member}}', 'person_id', p_id, 'exp', 4102444800) $$;
GRANT EXECUTE ON FUNCTION shop.login(int), shop.login_json(int) TO {{anon}}, {{member}};

-- Mutations (functions; injected values come last).
CREATE FUNCTION shop.create_post(title text, author_id int) RETURNS shop.post
LANGUAGE sql VOLATILE AS $$
  INSERT INTO shop.post (author_id, title) VALUES (author_id, title) RETURNING *
$$;
CREATE FUNCTION shop.fail_with(message text) RETURNS shop.post
LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '%', message; END $$;
CREATE FUNCTION shop.add_person(first_name text, email text) RETURNS shop.person
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = shop, pg_temp AS $$
  INSERT INTO shop.person (first_name, email) VALUES (first_name, email) RETURNING *
$$;
-- A write, then a failure: the mutation must leave nothing behind.
CREATE FUNCTION shop.create_post_then_fail(title text, author_id int) RETURNS shop.post
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO shop.post (author_id, title) VALUES (author_id, title);
  RAISE EXCEPTION 'changed my mind';
END $$;
-- A check PostgreSQL makes only at commit: an unkept pledge fails there.
CREATE TABLE shop.pledge (id serial PRIMARY KEY, kept boolean NOT NULL);
CREATE FUNCTION shop.pledge_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT NEW.kept THEN RAISE EXCEPTION 'a pledge must be kept' USING ERRCODE = 'check_violation', CONSTRAINT = 'pledge_kept'; END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER pledge_kept AFTER INSERT ON shop.pledge
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION shop.pledge_kept();
CREATE FUNCTION shop.make_pledge(kept boolean) RETURNS int
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = shop, pg_temp AS $$
  INSERT INTO shop.pledge (kept) VALUES (kept) RETURNING id
$$;
-- Arguments are passed by name: one left out takes its default, a null
-- one is NULL.
CREATE FUNCTION shop.greet(name text DEFAULT 'world', punctuation text DEFAULT '!') RETURNS text
LANGUAGE sql AS $$ SELECT 'hello ' || coalesce(name, '(null)') || punctuation $$;
GRANT EXECUTE ON FUNCTION shop.greet(text, text) TO {{anon}}, {{member}};
CREATE FUNCTION shop.echo_color(c shop.color) RETURNS shop.color LANGUAGE sql AS $$ SELECT c $$;
CREATE FUNCTION shop.no_person() RETURNS shop.person LANGUAGE sql AS $$ SELECT NULL::shop.person $$;
-- A query bound to a function that writes: the read-only transaction refuses it.
CREATE FUNCTION shop.sneaky_write() RETURNS SETOF shop.person
LANGUAGE sql VOLATILE AS $$
  INSERT INTO shop.person (first_name) VALUES ('Mallory') RETURNING *
$$;
CREATE FUNCTION shop.people_named(prefix text) RETURNS SETOF shop.person
LANGUAGE sql STABLE AS $$ SELECT * FROM shop.person WHERE first_name LIKE prefix || '%' ORDER BY id $$;
GRANT INSERT ON shop.person TO {{member}};
GRANT USAGE ON SEQUENCE shop.person_id_seq TO {{member}};

-- Computed fields (seed 001): functions taking the row.
CREATE FUNCTION shop.person_full_name(p shop.person) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT p.first_name || coalesce(' ' || p.last_name, '') $$;
CREATE FUNCTION shop.person_latest_post(p shop.person) RETURNS shop.post
LANGUAGE sql STABLE AS $$ SELECT * FROM shop.post WHERE author_id = p.id ORDER BY id DESC LIMIT 1 $$;
CREATE FUNCTION shop.post_summary(p shop.post, length int DEFAULT 10, omission text DEFAULT '…') RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN char_length(p.title) <= length THEN p.title ELSE left(p.title, length) || omission END
$$;
CREATE FUNCTION shop.search_posts(search text) RETURNS SETOF shop.post
LANGUAGE sql STABLE AS $$ SELECT * FROM shop.post WHERE title ILIKE '%' || search || '%' $$;

-- Keyset pagination over many rows (the tests fill it).
CREATE TABLE shop.event (
  id   serial PRIMARY KEY,
  at   timestamptz NOT NULL,
  kind text NOT NULL
);
CREATE INDEX event_at_id ON shop.event (at, id);
GRANT SELECT ON shop.event TO {{anon}}, {{member}};

-- Written by gqlplan triggers. Each committed INSERT, UPDATE, DELETE or
-- TRUNCATE of a table below sends one notification on the channel gqlplan_changes,
-- naming the table; gqlplan serve listens there and reads again the
-- subscriptions that read it. Applying this again changes nothing.
-- Creating a trigger needs the table's owner (or the TRIGGER privilege).
BEGIN;

CREATE SCHEMA IF NOT EXISTS "gqlplan";

CREATE OR REPLACE FUNCTION "gqlplan"."notify_change"() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog
    AS $$
BEGIN
    PERFORM pg_notify('gqlplan_changes', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER "gqlplan_notify_change"
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "shop"."event"
    FOR EACH STATEMENT EXECUTE FUNCTION "gqlplan"."notify_change"();

CREATE OR REPLACE TRIGGER "gqlplan_notify_change"
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "shop"."person"
    FOR EACH STATEMENT EXECUTE FUNCTION "gqlplan"."notify_change"();

CREATE OR REPLACE TRIGGER "gqlplan_notify_change"
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "shop"."post"
    FOR EACH STATEMENT EXECUTE FUNCTION "gqlplan"."notify_change"();

COMMIT;
