-- Documents owned by users within tenants (seed 002, FraiseQL style).
-- Each view exposes the API object as `data jsonb`, plus plain columns
-- (owner_id, tenant_id) that inject rules filter on.
--
-- Isolation lives in the declarations: every operation injects the
-- caller's "sub" or "tenant_id" claim, so a client can never name another
-- user's or tenant's rows. The server's login role may only read the views
-- and call the functions; the functions (SECURITY DEFINER, fixed
-- search_path) are the only writers.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'documents_gqlplan') THEN
    CREATE ROLE documents_gqlplan LOGIN;
  END IF;
END $$;

CREATE SCHEMA app;
ALTER DEFAULT PRIVILEGES IN SCHEMA app REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

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

-- Arguments and injected values are passed by name (seed 002's inject key
-- is the parameter): createDocument(title) calls
-- fn_create_document(title => $1, created_by => <jwt sub>). Parameters
-- share names with columns, so the bodies qualify them by function name.
CREATE FUNCTION app.fn_create_document(title text, created_by text)
RETURNS app.v_documents
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  created app.v_documents;
BEGIN
  -- A separate statement: a data-modifying CTE's rows are invisible to
  -- the rest of its own statement, so the view must be read afterwards.
  INSERT INTO app.tb_document (tenant_id, owner_id, title)
  SELECT u.tenant_id, u.id, fn_create_document.title FROM app.app_user u WHERE u.id = fn_create_document.created_by
  RETURNING id INTO created.id;
  SELECT v.* INTO created FROM app.v_documents v WHERE v.id = created.id;
  RETURN created;
END
$$;

-- Changes name the row and the owner (or tenant) together: a row of
-- someone else's is not found, so the result is null and nothing changes.
CREATE FUNCTION app.fn_rename_document(id uuid, title text, owner_id text)
RETURNS app.v_documents
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  WITH renamed AS (
    UPDATE app.tb_document d SET title = fn_rename_document.title
    WHERE d.id = fn_rename_document.id AND d.owner_id = fn_rename_document.owner_id RETURNING d.*
  )
  SELECT r.id, r.tenant_id, r.owner_id, r.created_at,
         jsonb_build_object('id', r.id, 'title', r.title, 'created_at', r.created_at)
  FROM renamed r
$$;

CREATE FUNCTION app.fn_delete_document(id uuid, owner_id text)
RETURNS app.v_documents
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  WITH deleted AS (
    DELETE FROM app.tb_document d
    WHERE d.id = fn_delete_document.id AND d.owner_id = fn_delete_document.owner_id RETURNING d.*
  )
  SELECT d.id, d.tenant_id, d.owner_id, d.created_at,
         jsonb_build_object('id', d.id, 'title', d.title, 'created_at', d.created_at)
  FROM deleted d
$$;

CREATE FUNCTION app.fn_set_order_status(id uuid, status app.order_status, tenant_id text)
RETURNS app.v_orders
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  WITH changed AS (
    UPDATE app.tb_order o SET status = fn_set_order_status.status
    WHERE o.id = fn_set_order_status.id AND o.tenant_id = fn_set_order_status.tenant_id RETURNING o.*
  )
  SELECT o.id, o.tenant_id, o.status, o.placed_at,
         jsonb_build_object('id', o.id, 'number', o.number, 'total_cents', o.total_cents::text,
                            'status', o.status, 'placed_at', o.placed_at)
  FROM changed o
$$;

GRANT USAGE ON SCHEMA app TO documents_gqlplan;
GRANT SELECT ON app.v_documents, app.v_orders TO documents_gqlplan;
GRANT EXECUTE ON FUNCTION app.fn_create_document(text, text), app.fn_rename_document(uuid, text, text),
  app.fn_delete_document(uuid, text), app.fn_set_order_status(uuid, app.order_status, text) TO documents_gqlplan;
