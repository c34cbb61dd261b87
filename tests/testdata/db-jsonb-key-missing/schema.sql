CREATE TABLE tb_document (id int PRIMARY KEY, data jsonb NOT NULL);
INSERT INTO tb_document SELECT i, jsonb_build_object('id', i, 'title', 'doc ' || i, 'created_at', now()) FROM generate_series(1, 30) i;
CREATE VIEW v_document AS SELECT id, data FROM tb_document;
