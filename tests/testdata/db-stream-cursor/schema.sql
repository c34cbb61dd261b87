CREATE SCHEMA feed;
CREATE TABLE feed.post (id serial PRIMARY KEY, slug text NOT NULL, headline text NOT NULL, at timestamptz NOT NULL DEFAULT now());
CREATE UNIQUE INDEX post_slug ON feed.post (slug);
-- Unique only together, or only for some rows: neither proves a cursor unique.
CREATE UNIQUE INDEX post_at_headline ON feed.post (at, headline);
CREATE UNIQUE INDEX post_recent_headline ON feed.post (headline) WHERE at > '2024-01-01';
CREATE VIEW feed.recent AS SELECT id, slug, headline, at FROM feed.post;
