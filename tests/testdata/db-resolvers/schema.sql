CREATE SCHEMA app;
CREATE TABLE app.product (id int PRIMARY KEY, name text NOT NULL, price_in_us_cents int NOT NULL);
ALTER TABLE app.product ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone ON app.product USING (true);
