package compiler

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gqlplan/gqlplan/compiler/catalog"
	"github.com/gqlplan/gqlplan/decl"
	"github.com/gqlplan/gqlplan/spec"
)

// A stream subscription sends rows once each: the rows after a cursor, in
// the cursor's order, in batches. Its list is read like a query's, with
// the order fixed to the cursor, the page to the batch, and one argument,
// after, compared with the cursor — so the runtime reads the next batch
// by passing the last row's cursor. That is only right when no two rows
// share a cursor (else a batch ending inside a run of equal values would
// skip the rest), which the catalog proves by a unique index.

// DefaultBatchSize and MaxBatchSize bound a stream's batches.
const (
	DefaultBatchSize = 100
	MaxBatchSize     = 1000
)

// streamOperation turns out, the list operation op declares, into a
// stream; whereFrom gets the origin of the after condition.
func (c *checker) streamOperation(op declaredOp, out *spec.Operation, returns *spec.TypeRef, whereFrom *[]origin, what string) {
	st := op.Stream
	bad := func(format string, args ...any) {
		c.diags.Errorf(st.Range, "invalid-stream", "%s: "+format, append([]any{what}, args...)...)
	}
	switch {
	case op.Kind != decl.Subscription:
		bad("stream is for subscriptions: a query is read once, a mutation called once")
		return
	case returns == nil || !out.List || c.kindOf(returns) != kindObject:
		bad("a stream returns a list of an object type's rows")
		return
	case out.Source.Kind != spec.SourceRelation || out.Source.Shape != spec.ShapeColumns:
		bad("a stream reads the columns of a table or view, not a function or a jsonb document")
		return
	case len(op.OrderBy) > 0 || op.Limit != nil || op.Connection != nil || op.Filterable != nil || op.Sortable != nil:
		bad("a stream's order is its cursor's and its page its batch: remove order_by, limit, connection, filterable and sortable")
		return
	case st.Cursor == nil:
		bad("a stream needs a cursor: the column its rows are read in the order of")
		return
	}
	batch := int64(DefaultBatchSize)
	if st.BatchSize != nil {
		if batch = st.BatchSize.Value; batch < 1 || batch > MaxBatchSize {
			c.diags.Errorf(st.BatchSize.Range, "invalid-stream", "%s: batch_size %d is not between 1 and %d", what, batch, MaxBatchSize)
			return
		}
	}
	field := c.columnField(returns.Named(), st.Cursor.Value)
	if field == nil {
		bad("cursor %q is not a column a field of %s reads (the after argument takes that field's type)", st.Cursor.Value, returns.Named())
		return
	}
	cursor := spec.ColumnRef{Column: st.Cursor.Value, SQL: quoteIdent(st.Cursor.Value)}
	argType := strings.TrimSuffix(field.Type, "!")
	out.Stream = &spec.Stream{Cursor: cursor, BatchSize: batch}
	out.Args = slices.DeleteFunc(out.Args, func(a spec.InputValue) bool { return a.Name == spec.ArgLimit || a.Name == spec.ArgOffset })
	out.Args = append(out.Args, spec.InputValue{Name: spec.ArgAfter, Type: argType,
		Description: fmt.Sprintf("Send the rows whose %s is after this one (omitted: from the first), %d at most in a message.", field.Name, batch)})
	out.Listing.OrderBy = []spec.OrderTerm{{ColumnRef: cursor}}
	out.Listing.Limit = &spec.Limit{Default: batch, Max: batch}
	out.Where = append(out.Where, spec.Condition{ColumnRef: cursor, Op: "gt", Param: spec.Param{Arg: spec.ArgAfter}})
	*whereFrom = append(*whereFrom, origin{arg: &decl.Arg{Name: decl.Text{Value: spec.ArgAfter, Range: st.Cursor.Range},
		Type: decl.Text{Value: argType, Range: st.Cursor.Range}, Filter: &decl.Filter{Column: *st.Cursor, Range: st.Cursor.Range}}})
}

// columnField is the field of object type typeName that reads column,
// or nil.
func (c *checker) columnField(typeName, column string) *spec.Field {
	t := c.objects[typeName]
	if t == nil {
		return nil
	}
	for i := range t.Fields {
		if f := &t.Fields[i]; f.Column == column && f.Relation == nil && f.Function == nil && f.Resolver == "" {
			return f
		}
	}
	return nil
}

// checkStreamCursor checks, against the catalog, that the stream's cursor
// is unique: a unique index (or the primary key) of the source table on
// that column alone. A view has no index to prove it by.
func (c *checker) checkStreamCursor(op declaredOp, out *spec.Operation, rel *catalog.Relation, what string) {
	if out.Stream == nil || op.Stream == nil || op.Stream.Cursor == nil {
		return
	}
	cursor := out.Stream.Cursor.Column
	switch {
	case rel.Kind != catalog.Table && rel.Kind != catalog.PartitionedTable:
		c.diags.Errorf(op.Stream.Cursor.Range, "db-stream-cursor", "%s: %s is a %s, which has no unique index to prove that no two rows share a cursor; stream from a table", what, rel.Name, rel.KindName())
	case !slices.Contains(rel.UniqueColumns, cursor):
		c.diags.Errorf(op.Stream.Cursor.Range, "db-stream-cursor", "%s: no unique index of %s covers column %s alone, so rows may share a cursor and a batch ending among them would skip the rest; add one (CREATE UNIQUE INDEX ON %s (%s)) or stream by a unique column",
			what, rel.Name, cursor, rel.Name, quoteIdent(cursor))
	}
}
