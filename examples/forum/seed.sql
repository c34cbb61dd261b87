-- Seed data of the forum example, applied after schema.sql (gqlplan dev
-- applies *.sql in name order).
--
-- Twelve people, ids 1–12 in the order below, each signing in with
-- password-<first name in lower case>: sara@example.com / password-sara,
-- andrea@example.com / password-andrea, and so on. Thirty-six posts, ids
-- 1–36, dated a day apart from 2026-01-01 (the newest last); "circuit"
-- appears in three of them (the tutorial's searchPosts example).

SELECT forum_example.register_person('Sara', 'Powell', 'sara@example.com', 'password-sara'); -- 1
SELECT forum_example.register_person('Andrea', 'Morales', 'andrea@example.com', 'password-andrea'); -- 2
SELECT forum_example.register_person('Kenji', 'Watanabe', 'kenji@example.com', 'password-kenji'); -- 3
SELECT forum_example.register_person('Amara', 'Okafor', 'amara@example.com', 'password-amara'); -- 4
SELECT forum_example.register_person('Lukas', 'Becker', 'lukas@example.com', 'password-lukas'); -- 5
SELECT forum_example.register_person('Priya', 'Raman', 'priya@example.com', 'password-priya'); -- 6
SELECT forum_example.register_person('Tomas', 'Silva', 'tomas@example.com', 'password-tomas'); -- 7
SELECT forum_example.register_person('Mei', 'Chen', 'mei@example.com', 'password-mei'); -- 8
SELECT forum_example.register_person('Olu', 'Adeyemi', 'olu@example.com', 'password-olu'); -- 9
SELECT forum_example.register_person('Hanna', 'Nilsson', 'hanna@example.com', 'password-hanna'); -- 10
SELECT forum_example.register_person('Diego', 'Ortiz', 'diego@example.com', 'password-diego'); -- 11
SELECT forum_example.register_person('Fatima', 'Zahra', 'fatima@example.com', 'password-fatima'); -- 12

UPDATE forum_example.person AS p SET about = v.about, created_at = v.created_at, updated_at = v.created_at
FROM (VALUES
  (1, 'Writes about databases and the people who run them.', timestamp '2025-12-01 08:00' + interval '1 hours'),
  (2, 'Hardware tinkerer; builds circuits on weekends.', timestamp '2025-12-01 08:00' + interval '2 hours'),
  (3, 'Frontend developer, GraphQL fan.', timestamp '2025-12-01 08:00' + interval '3 hours'),
  (4, 'Data engineer. Asks the hard questions.', timestamp '2025-12-01 08:00' + interval '4 hours'),
  (5, NULL, timestamp '2025-12-01 08:00' + interval '5 hours'),
  (6, 'Security reviewer; reads policies for fun.', timestamp '2025-12-01 08:00' + interval '6 hours'),
  (7, 'Runs a small bakery and its web shop.', timestamp '2025-12-01 08:00' + interval '7 hours'),
  (8, 'Teaches SQL at night school.', timestamp '2025-12-01 08:00' + interval '8 hours'),
  (9, NULL, timestamp '2025-12-01 08:00' + interval '9 hours'),
  (10, 'Photographer; posts in showcase.', timestamp '2025-12-01 08:00' + interval '10 hours'),
  (11, 'Backend developer, Go and PostgreSQL.', timestamp '2025-12-01 08:00' + interval '11 hours'),
  (12, 'Product designer.', timestamp '2025-12-01 08:00' + interval '12 hours')
) AS v(id, about, created_at)
WHERE p.id = v.id;

INSERT INTO forum_example.post (id, author_id, headline, body, topic, created_at, updated_at)
SELECT id, author_id, headline, body, topic::forum_example.post_topic, created_at, created_at
FROM (VALUES
  (1, 1, 'Welcome to the forum',
   'Introduce yourself here: who you are, what you build, and what you hope to find.', 'discussion'),
  (2, 2, 'My first circuit board',
   'Soldered my first circuit board this weekend. Pictures of the traces and a short list of mistakes to avoid.', 'showcase'),
  (3, 3, 'GraphQL fragments in practice',
   'How we split our queries into fragments per component, and where that stopped paying off.', 'discussion'),
  (4, 4, 'Why is my query slow?',
   'A join between two large tables takes seconds. EXPLAIN shows a sequential scan; what index am I missing?', 'help'),
  (5, 5, 'A reading list for the winter',
   'Books on data modelling, distributed systems and writing, in the order I would read them again.', 'inspiration'),
  (6, 6, 'Row level security, explained simply',
   'Policies are WHERE clauses the database adds for you. A walk through USING and WITH CHECK.', 'discussion'),
  (7, 7, 'Sourdough and software',
   'What keeping a starter alive taught me about keeping a web shop running.', 'inspiration'),
  (8, 8, 'Teaching joins with index cards',
   'A classroom exercise: every student is a row, and a join is two queues meeting.', 'inspiration'),
  (9, 9, 'Cannot connect after upgrade',
   'After the upgrade the server refuses connections from the app. pg_hba.conf looks unchanged.', 'help'),
  (10, 10, 'Northern lights over the lake',
   'Three nights of waiting, one clear hour. The best frames from the shoot.', 'showcase'),
  (11, 11, 'Connection pools, sized',
   'Why a pool of ten connections served more requests than a pool of a hundred.', 'discussion'),
  (12, 12, 'Designing empty states',
   'An empty list is the first screen most people see. Ideas for making it useful.', 'inspiration'),
  (13, 1, 'Forum rules, version two',
   'Be kind, stay on topic, and put code in code blocks. The full list inside.', 'discussion'),
  (14, 2, 'Circuit simulator recommendations?',
   'Looking for a simulator to test a small amplifier circuit before I order parts.', 'help'),
  (15, 3, 'Showcase: a dashboard in an afternoon',
   'Built a dashboard on top of the forum API. Screenshots and the queries behind them.', 'showcase'),
  (16, 4, 'Window functions cheat sheet',
   'row_number, rank, lag and lead with one example each, on the same table.', 'inspiration'),
  (17, 5, 'Migrating without downtime',
   'Adding a NOT NULL column to a busy table, in four deploys instead of one.', 'discussion'),
  (18, 6, 'Threat modelling a GraphQL API',
   'Depth limits, aliases, batching and introspection: what to turn off and why.', 'discussion'),
  (19, 7, 'Inventory counts drift',
   'Our stock numbers slowly drift from reality. Triggers or a nightly job?', 'help'),
  (20, 8, 'Students'' best questions',
   'The questions from this term that made me rethink how I teach NULL.', 'discussion'),
  (21, 9, 'Backups that restore',
   'We tested our backups by restoring them every Monday. Here is what broke.', 'inspiration'),
  (22, 10, 'Portraits in window light',
   'A series shot with one window and a white sheet.', 'showcase'),
  (23, 11, 'Keyset pagination by hand',
   'Cursors that survive inserts: ordering by (created_at, id) and comparing rows.', 'discussion'),
  (24, 12, 'Accessible forms checklist',
   'Labels, errors and focus order: the checks we run before every release.', 'inspiration'),
  (25, 1, 'Monthly roundup: March',
   'The most helpful answers and the best showcases of the month.', 'discussion'),
  (26, 2, 'Repairing a vintage radio',
   'Recapping a 1960s radio. The circuit diagram, the parts list and the first sound.', 'showcase'),
  (27, 3, 'Is it worth caching GraphQL responses?',
   'We cache at the HTTP layer for anonymous reads only. Is anyone doing more?', 'help'),
  (28, 4, 'Data contracts between teams',
   'Writing down what a table promises, and testing the promise in CI.', 'discussion'),
  (29, 6, 'Rotating JWT signing keys',
   'How we rotate keys with a JWKS endpoint and never log anyone out.', 'help'),
  (30, 8, 'NULL is not a value',
   'A short essay for students: three-valued logic with everyday examples.', 'inspiration'),
  (31, 10, 'Street photography in the rain',
   'Reflections, umbrellas and very wet shoes.', 'showcase'),
  (32, 11, 'Prepared statements and poolers',
   'What breaks when a transaction pooler sits between the app and the database.', 'help'),
  (33, 12, 'Typography for dense tables',
   'Tabular numbers, alignment and when to drop the grid lines.', 'inspiration'),
  (34, 5, 'Partitioning a log table',
   'Monthly partitions, detached and archived, with a default partition for stragglers.', 'discussion'),
  (35, 9, 'Monitoring with pg_stat_statements',
   'The five queries we look at every morning.', 'inspiration'),
  (36, 11, 'Triggers that set updated_at',
   'One trigger function for every table, and a test that proves it fires.', 'discussion')
) AS v(id, author_id, headline, body, topic),
LATERAL (SELECT timestamp '2026-01-01 09:00' + (v.id - 1) * interval '1 day' AS created_at) AS t;

SELECT setval('forum_example.post_id_seq', (SELECT max(id) FROM forum_example.post));
