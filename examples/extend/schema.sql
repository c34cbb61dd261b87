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

-- Seed 003's soft delete by Node id: an item is archived, not deleted,
-- and only by its owner (the resolver checks the token's sub, and so does
-- the policy).
CREATE TABLE app.item (
  id          serial PRIMARY KEY,
  user_id     integer NOT NULL REFERENCES app.users (id),
  name        text NOT NULL,
  is_archived boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE app.item IS 'Something a user lists, until they archive it.';
GRANT SELECT ON app.item TO extend_anonymous, extend_user;
GRANT UPDATE (is_archived) ON app.item TO extend_user;
ALTER TABLE app.item ENABLE ROW LEVEL SECURITY;
-- Archived items are hidden, except from their owner: an UPDATE must be
-- able to see the row it writes, archived.
CREATE POLICY item_listed ON app.item FOR SELECT
  USING (NOT is_archived OR user_id = nullif(current_setting('jwt.claims.sub', true), '')::int);
CREATE POLICY item_archive ON app.item FOR UPDATE TO extend_user
  USING (user_id = nullif(current_setting('jwt.claims.sub', true), '')::int);

-- Seed 003's bulk insert through json_array_elements: a user's wishlist,
-- which only they see and write.
CREATE TABLE app.wishlist (
  id         serial PRIMARY KEY,
  user_id    integer NOT NULL REFERENCES app.users (id),
  product_id integer NOT NULL REFERENCES app.product (id),
  CONSTRAINT wishlist_once UNIQUE (user_id, product_id)
);
COMMENT ON TABLE app.wishlist IS 'A product a user wishes for.';
GRANT SELECT, INSERT (user_id, product_id) ON app.wishlist TO extend_user;
GRANT USAGE ON SEQUENCE app.wishlist_id_seq TO extend_user;
ALTER TABLE app.wishlist ENABLE ROW LEVEL SECURITY;
CREATE POLICY wishlist_own ON app.wishlist TO extend_user
  USING (user_id = nullif(current_setting('jwt.claims.sub', true), '')::int);
