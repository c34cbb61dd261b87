CREATE ROLE golden_reader NOLOGIN;
CREATE SCHEMA hidden;
CREATE TABLE hidden.secret (id int NOT NULL);
CREATE TABLE public.person (id int NOT NULL, email text NOT NULL);
GRANT SELECT (id) ON public.person TO golden_reader;
CREATE TABLE public.post (id int NOT NULL);
GRANT SELECT ON public.post TO golden_reader;
CREATE FUNCTION public.create_post(id int) RETURNS public.post LANGUAGE sql AS 'INSERT INTO post VALUES (id) RETURNING *';
REVOKE EXECUTE ON FUNCTION public.create_post(int) FROM PUBLIC;
