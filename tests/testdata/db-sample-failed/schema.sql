CREATE VIEW v_broken AS SELECT 1 AS id, jsonb_build_object('ratio', 1 / (SELECT count(*) - count(*) FROM pg_class)) AS data;
