-- Scales the forum example up for make bench, in SQL: 10,000 people and
-- 100,000 posts (about ten per person, dated over a year), after the
-- example's schema.sql and seed.sql. :people and :posts are replaced by the
-- bench program before it runs.
INSERT INTO forum_example.person (first_name, last_name, about, created_at)
SELECT 'First' || i, 'Last' || i, CASE WHEN i % 3 = 0 THEN 'About person ' || i END,
       timestamp '2024-01-01' + i * interval '1 minute'
FROM generate_series(1, :people) AS i;

INSERT INTO forum_example.post (author_id, headline, body, topic, created_at)
SELECT 1 + (i * 7919) % (SELECT count(*) FROM forum_example.person),
       'Headline ' || i,
       'Body of post ' || i || '. ' || repeat('Lorem ipsum dolor sit amet. ', 1 + i % 5),
       (enum_range(NULL::forum_example.post_topic))[1 + i % 4],
       timestamp '2025-01-01' + i * interval '5 minutes'
FROM generate_series(1, :posts) AS i;

-- The list and nested workloads read the newest posts, and latestPost the
-- newest of one author: the indexes an operator would add, for each
-- server's order (gqlplan's allPosts puts NULLs last, PostGraphile's
-- CREATED_AT_DESC first).
CREATE INDEX post_created_at_idx ON forum_example.post (created_at DESC NULLS LAST, id);
CREATE INDEX post_created_at_nulls_first_idx ON forum_example.post (created_at DESC, id);
CREATE INDEX post_author_created_idx ON forum_example.post (author_id, created_at DESC);
ANALYZE;
