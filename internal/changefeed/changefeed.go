// Package changefeed is how a committed change reaches the subscriptions
// that read it: a statement-level trigger on each table a subscription
// reads sends pg_notify on [Channel] with the table's name as the
// payload, and gqlplan serve, which LISTENs there, runs again the
// subscriptions whose plan names that table.
//
// The trigger is a migration the user reviews and applies ([DDL], printed
// by gqlplan triggers), not something the server creates: the server's
// role may not own the tables, and a schema change belongs in the
// migrations. gqlplan check reports a table a subscription reads that has
// no such trigger.
//
// NOTIFY is transactional: the notification is sent at COMMIT, not at
// all on ROLLBACK, and PostgreSQL folds identical notifications of one
// transaction into one, so a transaction that writes a table many times
// wakes its subscriptions once.
package changefeed

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Channel is the channel the trigger notifies.
const Channel = "gqlplan_changes"

// FunctionSchema and FunctionName name the trigger function; TriggerName
// is each table's trigger. The catalog check looks for them.
const (
	FunctionSchema = "gqlplan"
	FunctionName   = "notify_change"
	TriggerName    = "gqlplan_notify_change"
)

// Payload is what the trigger sends for a change to table: the schema and
// name as TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME spells them, unquoted.
func Payload(schema, table string) string { return schema + "." + table }

// DDL is the migration that makes each of tables (schema and name pairs,
// in the order given) notify its changes. Applying it again changes
// nothing: it replaces the function and the triggers with themselves.
func DDL(tables [][2]string) string {
	var b strings.Builder
	fn := pgx.Identifier{FunctionSchema, FunctionName}.Sanitize()
	fmt.Fprintf(&b, `-- Written by gqlplan triggers. Each committed INSERT, UPDATE, DELETE or
-- TRUNCATE of a table below sends one notification on the channel %s,
-- naming the table; gqlplan serve listens there and reads again the
-- subscriptions that read it. Applying this again changes nothing.
-- Creating a trigger needs the table's owner (or the TRIGGER privilege).
BEGIN;

CREATE SCHEMA IF NOT EXISTS %s;

CREATE OR REPLACE FUNCTION %s() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog
    AS $$
BEGIN
    PERFORM pg_notify(%s, TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
    RETURN NULL;
END
$$;
`, Channel, pgx.Identifier{FunctionSchema}.Sanitize(), fn, quoteLiteral(Channel))
	for _, t := range tables {
		fmt.Fprintf(&b, `
CREATE OR REPLACE TRIGGER %s
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s
    FOR EACH STATEMENT EXECUTE FUNCTION %s();
`, pgx.Identifier{TriggerName}.Sanitize(), pgx.Identifier{t[0], t[1]}.Sanitize(), fn)
	}
	b.WriteString("\nCOMMIT;\n")
	return b.String()
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
