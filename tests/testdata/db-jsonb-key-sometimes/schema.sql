CREATE TABLE tb_event (id int PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO tb_event SELECT i,
  jsonb_build_object('id', i, 'kind', CASE WHEN i % 2 = 0 THEN to_jsonb('click'::text) ELSE to_jsonb(i) END)
  || CASE WHEN i % 3 = 0 THEN '{}'::jsonb ELSE jsonb_build_object('actor', 'u' || i) END
  || CASE WHEN i % 5 = 0 THEN '{"note": null}'::jsonb ELSE '{"note": "n"}'::jsonb END
FROM generate_series(1, 30) i;
