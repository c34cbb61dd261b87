CREATE VIEW v_note AS SELECT 1 AS id, '{"text": "hi"}'::json AS data;
CREATE VIEW v_memo AS SELECT 1 AS id, '{"text": "hi"}'::text AS body;
