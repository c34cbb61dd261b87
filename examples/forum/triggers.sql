-- Written by gqlplan triggers. Each committed INSERT, UPDATE, DELETE or
-- TRUNCATE of a table below sends one notification on the channel gqlplan_changes,
-- naming the table; gqlplan serve listens there and reads again the
-- subscriptions that read it. Applying this again changes nothing.
-- Creating a trigger needs the table's owner (or the TRIGGER privilege).
BEGIN;

CREATE SCHEMA IF NOT EXISTS "gqlplan";

CREATE OR REPLACE FUNCTION "gqlplan"."notify_change"() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog
    AS $$
BEGIN
    PERFORM pg_notify('gqlplan_changes', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER "gqlplan_notify_change"
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "forum_example"."person"
    FOR EACH STATEMENT EXECUTE FUNCTION "gqlplan"."notify_change"();

CREATE OR REPLACE TRIGGER "gqlplan_notify_change"
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "forum_example"."post"
    FOR EACH STATEMENT EXECUTE FUNCTION "gqlplan"."notify_change"();

COMMIT;
