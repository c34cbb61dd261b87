-- The shop of PostGraphile's makeExtendSchemaPlugin page (seed 003),
-- extended in Go (server/main.go): users, who register through a
-- resolver that inserts in the request's transaction and sends a welcome
-- email, and products, whose price in Australian cents a resolver
-- computes from a rate an exchange service gives.
--
-- Roles are cluster-wide, so they are created only if missing.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'extend_anonymous') THEN
    CREATE ROLE extend_anonymous;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'extend_user') THEN
    CREATE ROLE extend_user;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'extend_gqlplan') THEN
    CREATE ROLE extend_gqlplan LOGIN;
  END IF;
END $$;
GRANT extend_anonymous, extend_user TO extend_gqlplan;

CREATE SCHEMA app;
GRANT USAGE ON SCHEMA app TO extend_anonymous, extend_user;

CREATE TABLE app.users (
  id         serial PRIMARY KEY,
  name       text NOT NULL,
  email      text NOT NULL UNIQUE,
  bio        text,
  -- A hidden user is seen only by themself (the token's sub).
  hidden     boolean NOT NULL DEFAULT false,
  -- Who invited the user: the sub of the token that registered them.
  invited_by integer REFERENCES app.users (id)
);
COMMENT ON TABLE app.users IS 'A user of the shop.';
GRANT SELECT ON app.users TO extend_anonymous, extend_user;
GRANT INSERT (name, email, bio, invited_by) ON app.users TO extend_user;
GRANT USAGE ON SEQUENCE app.users_id_seq TO extend_user;

ALTER TABLE app.users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_visible ON app.users FOR SELECT
  USING (NOT hidden OR id = nullif(current_setting('jwt.claims.sub', true), '')::int);
-- A user registers others in their own name only.
CREATE POLICY users_invite ON app.users FOR INSERT TO extend_user
  WITH CHECK (invited_by = nullif(current_setting('jwt.claims.sub', true), '')::int);

CREATE TABLE app.product (
  id                serial PRIMARY KEY,
  name              text NOT NULL,
  price_in_us_cents integer NOT NULL CHECK (price_in_us_cents >= 0)
);
COMMENT ON TABLE app.product IS 'Something the shop sells.';
GRANT SELECT ON app.product TO extend_anonymous, extend_user;
-- The catalog is public: every product is for everyone to see.
ALTER TABLE app.product ENABLE ROW LEVEL SECURITY;
CREATE POLICY product_public ON app.product FOR SELECT USING (true);
