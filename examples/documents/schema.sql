-- Documents owned by users within tenants (seed 002, FraiseQL style).
-- Each view exposes the API object as `data jsonb`, plus plain columns
-- (owner_id, tenant_id) that inject rules filter on.
CREATE SCHEMA app;

-- Tenants are named by a slug, which is what the JWT "tenant_id" claim
-- carries: the claim is text, so the column is too (gqlplan check warns
-- when a claim has to be cast to another type).
CREATE TABLE app.tenant (
  id   text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]*$'),
  name text NOT NULL
);

CREATE TABLE app.app_user (
  id        text PRIMARY KEY,                -- the JWT "sub"
  tenant_id text NOT NULL REFERENCES app.tenant
);

CREATE TABLE app.tb_document (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id  text NOT NULL REFERENCES app.tenant,
  owner_id   text NOT NULL REFERENCES app.app_user,
  title      text NOT NULL CHECK (title <> ''),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE VIEW app.v_documents AS
SELECT d.id, d.tenant_id, d.owner_id, d.created_at,
       jsonb_build_object('id', d.id, 'title', d.title, 'created_at', d.created_at) AS data
FROM app.tb_document d;

CREATE TYPE app.order_status AS ENUM ('open', 'paid', 'canceled');

CREATE TABLE app.tb_order (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id   text NOT NULL REFERENCES app.tenant,
  number      text NOT NULL,
  total_cents bigint NOT NULL CHECK (total_cents >= 0),
  status      app.order_status NOT NULL DEFAULT 'open',
  placed_at   timestamptz NOT NULL DEFAULT now()
);

CREATE VIEW app.v_orders AS
SELECT o.id, o.tenant_id, o.status, o.placed_at,
       jsonb_build_object('id', o.id, 'number', o.number, 'total_cents', o.total_cents::text,
                          'status', o.status, 'placed_at', o.placed_at) AS data
FROM app.tb_order o;

-- Injected values are appended after the GraphQL arguments (seed 002):
-- createDocument(title) calls fn_create_document(title, <jwt sub>).
CREATE FUNCTION app.fn_create_document(p_title text, p_created_by text)
RETURNS app.v_documents
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  created app.v_documents;
BEGIN
  -- A separate statement: a data-modifying CTE's rows are invisible to
  -- the rest of its own statement, so the view must be read afterwards.
  INSERT INTO app.tb_document (tenant_id, owner_id, title)
  SELECT u.tenant_id, u.id, p_title FROM app.app_user u WHERE u.id = p_created_by
  RETURNING id INTO created.id;
  SELECT v.* INTO created FROM app.v_documents v WHERE v.id = created.id;
  RETURN created;
END
$$;
