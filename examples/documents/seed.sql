-- Seed data of the documents example, applied after schema.sql (gqlplan
-- dev applies *.sql in name order): two tenants, three users, and rows
-- with fixed ids so a walkthrough can name them.
--
--   tenant acme:   alice (documents …a1, …a2, …a3), bob (…b1, …b2); orders …01–…04
--   tenant globex: carol (documents …c1, …c2);                      orders …05–…07
--
-- A token carries "sub" (the user) and "tenant_id":
--   gqlplan token --secret "$SECRET" --claims '{"sub":"alice","tenant_id":"acme"}'
INSERT INTO app.tenant (id, name) VALUES ('acme', 'Acme Corporation'), ('globex', 'Globex');

INSERT INTO app.app_user (id, tenant_id) VALUES ('alice', 'acme'), ('bob', 'acme'), ('carol', 'globex');

INSERT INTO app.tb_document (id, tenant_id, owner_id, title, created_at) VALUES
  ('00000000-0000-4000-8000-0000000000a1', 'acme', 'alice', 'Quarterly plan', '2026-03-01 09:00+00'),
  ('00000000-0000-4000-8000-0000000000a2', 'acme', 'alice', 'Hiring notes', '2026-03-02 09:00+00'),
  ('00000000-0000-4000-8000-0000000000a3', 'acme', 'alice', 'Offsite agenda', '2026-03-03 09:00+00'),
  ('00000000-0000-4000-8000-0000000000b1', 'acme', 'bob', 'Supplier contract draft', '2026-03-01 10:00+00'),
  ('00000000-0000-4000-8000-0000000000b2', 'acme', 'bob', 'Bob''s private notes', '2026-03-04 10:00+00'),
  ('00000000-0000-4000-8000-0000000000c1', 'globex', 'carol', 'Globex roadmap', '2026-03-01 11:00+00'),
  ('00000000-0000-4000-8000-0000000000c2', 'globex', 'carol', 'Board minutes', '2026-03-05 11:00+00');

INSERT INTO app.tb_order (id, tenant_id, number, total_cents, status, placed_at) VALUES
  ('00000000-0000-4000-8000-000000000001', 'acme', 'A-1001', 129900, 'paid', '2026-02-01 12:00+00'),
  ('00000000-0000-4000-8000-000000000002', 'acme', 'A-1002', 4500, 'open', '2026-02-03 12:00+00'),
  ('00000000-0000-4000-8000-000000000003', 'acme', 'A-1003', 78000, 'canceled', '2026-02-05 12:00+00'),
  ('00000000-0000-4000-8000-000000000004', 'acme', 'A-1004', 2500, 'open', '2026-02-07 12:00+00'),
  ('00000000-0000-4000-8000-000000000005', 'globex', 'G-5001', 990000, 'open', '2026-02-02 12:00+00'),
  ('00000000-0000-4000-8000-000000000006', 'globex', 'G-5002', 15000, 'paid', '2026-02-04 12:00+00'),
  ('00000000-0000-4000-8000-000000000007', 'globex', 'G-5003', 300, 'open', '2026-02-06 12:00+00');
