-- The security suite's database. {{auth}}, {{anon}}, {{member}} and
-- {{stranger}} are replaced by role names unique to the run. The
-- authenticator may switch to anon and member only; stranger exists but
-- is not granted to it.
CREATE ROLE {{auth}} LOGIN NOINHERIT PASSWORD 'auth-password-must-not-leak';
CREATE ROLE {{anon}};
CREATE ROLE {{member}};
CREATE ROLE {{stranger}};
GRANT {{anon}}, {{member}} TO {{auth}};

CREATE SCHEMA sec;
GRANT USAGE ON SCHEMA sec TO {{anon}}, {{member}};
CREATE TYPE sec.color AS ENUM ('red', 'green');

CREATE TABLE sec.person (
  id    serial PRIMARY KEY,
  name  text NOT NULL,
  color sec.color
);
INSERT INTO sec.person (name, color) VALUES ('Ada', 'red'), ('Bob', 'green');
GRANT SELECT ON sec.person TO {{anon}}, {{member}};

-- Each note belongs to the subject of a token; RLS shows a caller only
-- theirs. Bob's note is the "other user's data" no response may carry.
CREATE TABLE sec.note (
  id     serial PRIMARY KEY,
  owner  text NOT NULL,
  body   text NOT NULL,
  stars  int NOT NULL DEFAULT 0,
  weight float8 NOT NULL DEFAULT 0,
  pinned boolean NOT NULL DEFAULT false,
  meta   jsonb
);
INSERT INTO sec.note (owner, body) VALUES ('ada', 'ada note'), ('bob', 'TOP-SECRET-bob');
ALTER TABLE sec.note ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON sec.note USING (owner = current_setting('jwt.claims.sub', true))
  WITH CHECK (owner = current_setting('jwt.claims.sub', true));
GRANT SELECT, INSERT ON sec.note TO {{member}};
GRANT USAGE ON SEQUENCE sec.note_id_seq TO {{member}};

CREATE FUNCTION sec.add_note(body text, stars int, weight float8, pinned boolean, meta jsonb, owner text) RETURNS sec.note
LANGUAGE sql VOLATILE AS $$
  INSERT INTO sec.note (owner, body, stars, weight, pinned, meta) VALUES (owner, body, stars, weight, pinned, meta) RETURNING *
$$;
GRANT EXECUTE ON FUNCTION sec.add_note(text, int, float8, boolean, jsonb, text) TO {{member}};

CREATE FUNCTION sec.slow(seconds float8) RETURNS SETOF sec.person
LANGUAGE sql STABLE AS $$ SELECT p.* FROM sec.person p, pg_sleep(seconds) $$;
GRANT EXECUTE ON FUNCTION sec.slow(float8) TO {{anon}}, {{member}};

-- What a request's transaction sees.
CREATE VIEW sec.v_session AS
SELECT current_user::text AS role,
       nullif(current_setting('jwt.claims.sub', true), '') AS sub,
       nullif(current_setting('request.jwt.claims', true), '')::jsonb AS claims;
GRANT SELECT ON sec.v_session TO {{anon}}, {{member}};
