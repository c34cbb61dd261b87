INSERT INTO app.users (name, email, bio, hidden) VALUES
  ('Ada', 'ada@example.com', 'Poet of numbers.', false),
  ('Alan', 'alan@example.com', NULL, false),
  ('Grace', 'grace@example.com', 'Compilers.', false),
  ('Hedy', 'hedy@example.com', 'Frequency hopping.', true);

-- A hundred products: a page of them calls the price resolver once.
INSERT INTO app.product (name, price_in_us_cents)
SELECT 'Product ' || g, 100 * g FROM generate_series(1, 100) g;

INSERT INTO app.item (user_id, name) VALUES
  (1, 'Ada''s notebook'), (1, 'Ada''s loom'), (2, 'Alan''s bicycle');
