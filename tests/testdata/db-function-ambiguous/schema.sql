CREATE TABLE account (id bigint NOT NULL);
CREATE FUNCTION touch_account(id int) RETURNS account LANGUAGE sql AS 'SELECT id::bigint';
CREATE FUNCTION touch_account(id bigint) RETURNS account LANGUAGE sql AS 'SELECT id';
CREATE FUNCTION close_account(id int) RETURNS account LANGUAGE sql AS 'SELECT id::bigint';
CREATE FUNCTION close_account(id uuid) RETURNS account LANGUAGE sql AS 'SELECT 1::bigint';
