CREATE SCHEMA opaque;
CREATE TABLE opaque.person (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE opaque.comment (id int PRIMARY KEY, author_id int NOT NULL);
-- Along the search_path: the body names it unqualified.
CREATE TABLE public.vote (id int PRIMARY KEY, person_id int NOT NULL);
-- PL/pgSQL: its body is a string, so the catalog cannot tell what it reads.
CREATE FUNCTION opaque.person_score(p opaque.person) RETURNS int LANGUAGE plpgsql STABLE
  AS $$ BEGIN
    RETURN (SELECT count(*) FROM opaque.comment c WHERE c.author_id = p.id)
         + (SELECT count(*) FROM vote WHERE vote.person_id = p.id);
  END $$;
