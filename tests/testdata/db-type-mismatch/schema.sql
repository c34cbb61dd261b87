CREATE TABLE item (id int NOT NULL, name text NOT NULL, price numeric NOT NULL, tags text[] NOT NULL, code int NOT NULL, made date NOT NULL);
