package sqlgen

import "strings"

// A mutation's payload must show the mutation's writes: a new post's
// author's post count counts it. Read in the statement that calls the
// function, it would not — every part of a statement reads the snapshot
// taken when the statement began, before the function ran. So the call
// is a statement of its own that keeps the rows the function returned in
// a transaction-local setting (their text form, which their type reads
// back exactly), and the payload is read by the next statement of the
// same transaction, pipelined behind it: one round trip still, and a
// snapshot that holds the call's writes.

// rowsSetting is the transaction-local setting holding the rows.
const rowsSetting = "gqlplan.mutation_rows"

// callFirst makes rs's function call the statement to run first and
// returns it; rs becomes the rows it kept, as rowType, and the composer
// starts the payload's statement afresh (its parameters are the call's).
func (c *composer) callFirst(rs *rows, rowType string) *Statement {
	var b strings.Builder
	b.WriteString("SELECT set_config('" + rowsSetting + "', coalesce((SELECT array_agg(" + rs.alias + ") FROM ")
	b.WriteString(rs.from + rs.where())
	b.WriteString(")::text, '{}'), true)")
	call := &Statement{SQL: b.String(), Args: c.args, Slots: c.slots}
	c.args, c.slots = nil, nil
	// Missing (a statement prepared before any call) or empty, the
	// setting is no rows: the planner may read it when it estimates.
	rs.from = "unnest(nullif(current_setting('" + rowsSetting + "', true), '')::" + rowType + "[]) " + rs.alias
	rs.conds = nil
	return call
}
