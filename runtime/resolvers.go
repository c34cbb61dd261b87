package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.opentelemetry.io/otel/trace"

	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/extend"
	"github.com/gqlplan/gqlplan/runtime/internal/markers"
	"github.com/gqlplan/gqlplan/runtime/internal/nonnull"
	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/pgexec"
	"github.com/gqlplan/gqlplan/runtime/internal/schema"
	"github.com/gqlplan/gqlplan/runtime/internal/sqlgen"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// A request with fields run by Go resolvers (package extend) runs in one
// explicit transaction, each root field in turn: a resolver's operation
// inside a savepoint, then the statement of the rows it picked; a SQL
// field as usual (inside a savepoint too for a mutation, so a failed one
// is rolled back alone). Then each field resolver whose markers the
// results hold is called once, with every row, and its values written
// in. A request without resolvers never comes here: it keeps its one
// pipeline.

// MissingResolvers are the resolvers plan names that r does not have,
// sorted: a server without them cannot serve it.
func MissingResolvers(plan *spec.Plan, r extend.Resolvers) []string {
	missing := map[string]bool{}
	for _, ops := range [][]spec.Operation{plan.Queries, plan.Mutations} {
		for _, op := range ops {
			if _, ok := r.Operations[op.Resolver]; op.Resolver != "" && !ok {
				missing[op.Resolver] = true
			}
		}
	}
	for _, t := range plan.Types {
		for _, f := range t.Fields {
			if _, ok := r.Fields[f.Resolver]; f.Resolver != "" && !ok {
				missing[f.Resolver] = true
			}
		}
	}
	out := make([]string, 0, len(missing))
	for name := range missing {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// runsGo reports whether some field of the request runs a resolver.
func runsGo(fields []*rootField) bool {
	for _, f := range fields {
		if f.err == nil && (f.resolver != nil || f.stmt != nil && len(f.stmt.Resolves) > 0) {
			return true
		}
	}
	return false
}

func (h *Handler) executeWithResolvers(ctx context.Context, op *operation.Operation, who auth.Identity, sess pgexec.Session, fields []*rootField, arena *[]byte) *Error {
	mutation := op.Kind == operation.Mutation
	role := who.Role
	if role == "" {
		role = h.loginRole
	}
	var span trace.Span
	if h.tracing != nil {
		ctx, span = h.tracing.startTransaction(ctx, sourcesOf(fields))
	}
	fatal := h.exec.Transaction(ctx, mutation, sess, arena, func(tx *pgexec.Tx) *wire.Error {
		req := &extend.Request{ID: wire.RequestID(ctx), Role: role, Claims: who.Claims, Tx: &resolverTx{conn: tx.Conn(), open: tx.Open}}
		return h.runFields(ctx, tx, req, fields, mutation)
	})
	endStatements(span, nil, fatal)
	return fatal
}

// runFields runs fields in turn in tx — a mutation's, and a resolver's,
// each in a savepoint — then their field resolvers; the error fails the
// request.
func (h *Handler) runFields(ctx context.Context, tx *pgexec.Tx, req *extend.Request, fields []*rootField, mutation bool) *wire.Error {
	for _, f := range fields {
		if f.err != nil || f.stmt == nil && f.resolver == nil {
			continue
		}
		run := func() (bool, *wire.Error) {
			h.runField(ctx, tx, req, f)
			if f.err != nil && pgexec.RequestLevel(f.err) {
				return true, f.err
			}
			return f.err != nil, nil
		}
		var fatal *wire.Error
		switch {
		case f.resolver != nil: // its own SQL, and the rows it picked, in a savepoint once there is SQL
			fatal = tx.LazySavepoint(ctx, run)
		case mutation:
			fatal = tx.Savepoint(ctx, run)
		default:
			_, fatal = run()
		}
		if fatal != nil {
			return fatal
		}
	}
	return h.resolveFields(ctx, tx, req, fields)
}

// rootQuery is the value of a payload's field of type Query (seed 003's
// RegisterUserPayload.query): sel's selection run as a query's root
// fields, in the request's transaction after the resolver ran, so it
// reads what the resolver wrote; their errors are f's, beneath sel.
func (h *Handler) rootQuery(ctx context.Context, tx *pgexec.Tx, req *extend.Request, f *rootField, sel *operation.Field, nonNull bool) (json.RawMessage, *Error) {
	fields, e := h.plan(&operation.Operation{Kind: operation.Query, Fields: sel.Children}, req.Role, req.Claims, nil, nil, nil)
	if e != nil {
		return nil, e
	}
	if fatal := h.runFields(ctx, tx, req, fields, false); fatal != nil {
		return nil, fatal
	}
	out := respond("", fields)
	for _, e := range out.Errors {
		e.Path = append([]any{f.key, sel.Key}, e.Path...)
		f.nullErrs = append(f.nullErrs, e)
	}
	if out.DataNull {
		f.nulled = f.nulled || nonNull // Query! null: so is the payload, here the root field
		return nil, nil
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, entry := range out.Data {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(entry.Key)
		b.Write(key)
		b.WriteByte(':')
		if len(entry.Value) == 0 {
			b.WriteString("null")
		} else {
			b.Write(entry.Value)
		}
	}
	b.WriteByte('}')
	return json.RawMessage(b.String()), nil
}

// runField sets f's result or error: its statement's, or its resolver's.
func (h *Handler) runField(ctx context.Context, tx *pgexec.Tx, req *extend.Request, f *rootField) {
	if f.resolver == nil {
		if f.result, f.err = tx.Statement(ctx, *f.stmt); f.err != nil {
			f.fail(f.err)
			return
		}
		// Placed now, before field resolvers write their values in.
		f.result = f.placeNulls(f.result, f.stmt.Nulls, []any{f.key})
		f.resolves = f.stmt.Resolves
		return
	}
	name := f.planned.Spec.Resolver
	args, e := h.goArgs(f.sel.Args.Map(), f.planned.Args)
	if e != nil {
		f.fail(e)
		return
	}
	var result extend.Result
	err := h.callResolver(ctx, name, func(ctx context.Context) (err error) {
		result, err = f.resolver(ctx, req, args)
		return err
	})
	if err == nil && !tx.InTransaction() {
		err = h.resolverFailure(ctx, name, errors.New("it left the request's transaction ended or failed"))
	}
	if err != nil {
		f.fail(err)
		return
	}
	value, e := h.resultJSON(ctx, tx, f, req, result)
	if e != nil {
		f.fail(e)
		return
	}
	if string(value) != "null" { // null is no result: a non-null field's then nulls the data
		f.result = value
	}
}

// resultJSON is the JSON of what an operation's resolver gave: the rows
// it picked, read with the field's selection; its value; or an object of
// values and look-ahead rows, in selection order.
func (h *Handler) resultJSON(ctx context.Context, tx *pgexec.Tx, f *rootField, req *extend.Request, result extend.Result) (json.RawMessage, *Error) {
	name := f.planned.Spec.Resolver
	if f.planned.Spec.Source.Kind != spec.SourceResolver {
		pick, ok := picked(result)
		if !ok {
			return nil, h.resolverFailure(ctx, name, fmt.Errorf("its operation reads rows of %s: return extend.Rows(keys...) or extend.Where(condition, args...)", f.planned.Spec.Source.Name))
		}
		return h.rows(ctx, tx, f, f.planned, f.sel, req.Claims, pick)
	}
	obj := h.index.Objects[f.planned.Returns.Named()]
	if obj == nil {
		v, ok := result.IsValue()
		if !ok {
			return nil, h.resolverFailure(ctx, name, fmt.Errorf("its operation returns %s: return extend.Value(v)", f.planned.Returns))
		}
		return h.resolverValue(ctx, name, f.parent+"."+f.name, f.planned.Returns, v)
	}
	values, ok := result.IsObject()
	if !ok {
		return nil, h.resolverFailure(ctx, name, fmt.Errorf("its operation returns the object type %s: return extend.Object(fields)", obj.Spec.Name))
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, child := range f.sel.Children {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(child.Key)
		b.Write(key)
		b.WriteByte(':')
		var value json.RawMessage
		var e *Error
		field := obj.Fields[child.Name]
		switch r, given := values[child.Name]; {
		case child.Name == "__typename":
			value, _ = json.Marshal(obj.Spec.Name)
		case field != nil && field.Type.Named() == spec.RootQuery:
			value, e = h.rootQuery(ctx, tx, req, f, child, field.Type.NonNull)
		case !given:
		case field != nil && field.Spec.Lookahead != nil:
			pick, ok := picked(r)
			if !ok {
				return nil, h.resolverFailure(ctx, name, fmt.Errorf("field %s reads rows of %s: give it extend.Rows(keys...) or extend.Where(condition, args...)", child.Name, field.Spec.Lookahead.Name))
			}
			value, e = h.rows(ctx, tx, f, sqlgen.LookaheadOperation(field), child, req.Claims, pick)
		default:
			v, ok := r.IsValue()
			if !ok || field == nil {
				return nil, h.resolverFailure(ctx, name, fmt.Errorf("field %s is a value: give it extend.Value(v)", child.Name))
			}
			value, e = h.resolverValue(ctx, name, obj.Spec.Name+"."+child.Name, field.Type, v)
			if e != nil {
				e.Path = []any{f.key, child.Key}
			}
		}
		if e != nil {
			return nil, e
		}
		if len(value) == 0 {
			value = json.RawMessage("null")
		}
		b.Write(value)
	}
	b.WriteByte('}')
	return json.RawMessage(b.String()), nil
}

// picked is how a Rows or Where result picked rows.
func picked(r extend.Result) (sqlgen.Pick, bool) {
	if keys, ok := r.IsRows(); ok {
		return sqlgen.Pick{Keys: keys}, true
	}
	if cond, args, ok := r.IsWhere(); ok {
		return sqlgen.Pick{ByCondition: true, Condition: cond, Args: args}, true
	}
	return sqlgen.Pick{}, false
}

// rows reads the rows a resolver picked of op's source with sel's
// selection, as one statement (look-ahead), part of f's value.
func (h *Handler) rows(ctx context.Context, tx *pgexec.Tx, f *rootField, op *schema.Operation, sel *operation.Field, claims map[string]any, pick sqlgen.Pick) (json.RawMessage, *Error) {
	stmt, err := sqlgen.ComposeRows(h.index, h.cfg.Limits.sql(), op, sel, claims, pick, len(f.resolves))
	if err != nil {
		return nil, wire.As(err, CodeInternal)
	}
	f.resolves = append(f.resolves, stmt.Resolves...)
	doc, e := tx.Statement(ctx, stmt)
	if e != nil {
		return nil, e
	}
	path := []any{f.key}
	if sel != f.sel { // a look-ahead field of the resolver's object
		path = append(path, sel.Key)
	}
	return f.placeNulls(doc, stmt.Nulls, path), f.err
}

// resolverValue is the JSON of v, resolver name's value for field (a
// Type.field) of type t; a value that is not a t is the field's error.
func (h *Handler) resolverValue(ctx context.Context, name, field string, t *spec.TypeRef, v any) (json.RawMessage, *Error) {
	value, err := h.completeValue(t, v)
	if err != nil {
		return nil, h.invalidValue(ctx, name, field, err)
	}
	return value, nil
}

// invalidValue is the error of a resolver's value that its field's type
// cannot hold: shown, as graphql-js shows it, and logged.
func (h *Handler) invalidValue(ctx context.Context, name, field string, err error) *Error {
	h.log.LogAttrs(ctx, slog.LevelError, "resolver returned an invalid value", slog.String("request_id", wire.RequestID(ctx)),
		slog.String("resolver", name), slog.String("field", field), slog.String("error", err.Error()))
	return &Error{Message: fmt.Sprintf("Resolver %s returned an invalid value for %s: %v.", name, field, err), Code: CodeInternal}
}

// resolveFields calls each field resolver whose markers the results hold,
// once, with every row, and writes the values in their place, in rounds
// while the rows an object field's resolver picked hold markers of their
// own. A value its field's type cannot hold, or a null of a non-null
// field, becomes a non-null marker: an error at the field's path, its
// null placed as PostgreSQL's own are (see package nonnull), with those
// of the rows read here, once every value is in.
func (h *Handler) resolveFields(ctx context.Context, tx *pgexec.Tx, req *extend.Request, fields []*rootField) *wire.Error {
	late := map[*rootField][]nonnull.Site{}
	for {
		more, fatal := h.resolveRound(ctx, tx, req, fields, late)
		if fatal != nil {
			return fatal
		}
		if !more {
			break
		}
	}
	for f, sites := range late {
		if f.err == nil && len(f.result) > 0 {
			f.result = f.placeNulls(f.result, sites, []any{f.key})
		}
	}
	return nil
}

// fieldSite is one marker of a field resolver in a root field's result.
type fieldSite struct {
	field  *rootField
	marker int // its index among the field's markers
	slot   int // its call site's, in field.resolves
	call   sqlgen.Resolve
}

// resolveRound calls the field resolvers of the markers the results hold
// now and writes their values in; more reports that some markers were
// found (the values written may hold more).
func (h *Handler) resolveRound(ctx context.Context, tx *pgexec.Tx, req *extend.Request, fields []*rootField, late map[*rootField][]nonnull.Site) (more bool, fatal *wire.Error) {
	values := map[*rootField][]json.RawMessage{}
	sites := map[string][]fieldSite{}
	parents := map[string][]extend.Parent{}
	for _, f := range fields {
		if f.err != nil || len(f.resolves) == 0 || len(f.result) == 0 {
			continue
		}
		ms, err := markers.Find(f.result)
		if err != nil {
			f.fail(&Error{Message: "The result of this field could not be read.", Code: CodeInternal})
			continue
		}
		if len(ms) == 0 {
			continue
		}
		values[f] = make([]json.RawMessage, len(ms))
		for i, m := range ms {
			if m.Slot < 0 || m.Slot >= len(f.resolves) {
				return false, &Error{Message: "A result holds an unknown resolver marker.", Code: CodeInternal}
			}
			r := f.resolves[m.Slot]
			args, e := h.goArgs(r.Args, h.index.Objects[r.Type].Fields[r.Field].Args)
			if e != nil {
				f.fail(e)
				break
			}
			sites[r.Resolver] = append(sites[r.Resolver], fieldSite{f, i, m.Slot, r})
			parents[r.Resolver] = append(parents[r.Resolver], extend.Parent{Requires: m.Requires, Args: args})
		}
	}
	if len(values) == 0 {
		return false, nil
	}
	// invalid makes site's value an error at its path: a null of a
	// non-null field when message is "".
	invalid := func(s fieldSite, message string) {
		null := nonnull.Site{Type: s.call.Type, Field: s.call.Field, Up: s.call.Up, Loc: s.call.Loc}
		if message != "" {
			null.Message, null.Code = message, CodeInternal
		}
		late[s.field] = append(late[s.field], null)
		values[s.field][s.marker] = nonnull.Marker(len(late[s.field]) - 1)
	}
	for _, name := range slices.Sorted(maps.Keys(sites)) {
		var out []any
		fatal := tx.LazySavepoint(ctx, func() (bool, *wire.Error) {
			err := h.callResolver(ctx, name, func(ctx context.Context) (err error) {
				out, err = h.cfg.Resolvers.Fields[name](ctx, req, parents[name])
				return err
			})
			if err == nil && len(out) != len(parents[name]) {
				err = h.resolverFailure(ctx, name, fmt.Errorf("it returned %d values for %d rows", len(out), len(parents[name])))
			}
			if err != nil {
				for _, s := range sites[name] {
					if s.field.err == nil {
						s.field.fail(&Error{Message: err.Message, Code: err.Code})
					}
				}
				return true, nil
			}
			return false, nil
		})
		if fatal != nil {
			return false, fatal
		}
		if out == nil {
			continue
		}
		picks := map[*rootField]map[int][]int{} // by root field, slot: the sites whose rows are picked by key
		for i, s := range sites[name] {
			field := h.index.Objects[s.call.Type].Fields[s.call.Field]
			if out[i] == nil {
				if field.Type.NonNull {
					invalid(s, "")
				}
				continue
			}
			if field.Spec.Lookahead != nil {
				result, _ := out[i].(extend.Result)
				pick, ok := picked(result)
				switch {
				case !ok:
					invalid(s, h.invalidValue(ctx, name, s.call.Type+"."+s.call.Field, fmt.Errorf("it reads rows of %s: give each row extend.Rows(keys...) or extend.Where(condition, args...)", field.Spec.Lookahead.Name)).Message)
				case pick.ByCondition:
					if e := h.fieldRows(ctx, tx, req, s, field, pick, values, late); e != nil {
						if pgexec.RequestLevel(e) {
							return false, e
						}
						s.field.fail(e)
					}
				default:
					if picks[s.field] == nil {
						picks[s.field] = map[int][]int{}
					}
					picks[s.field][s.slot] = append(picks[s.field][s.slot], i)
				}
				continue
			}
			v, err := h.completeValue(field.Type, out[i])
			if err != nil {
				invalid(s, h.invalidValue(ctx, name, s.call.Type+"."+s.call.Field, err).Message)
				continue
			}
			values[s.field][s.marker] = v
		}
		for _, f := range fields { // in the request's order, each call site in turn
			bySlot := picks[f]
			for _, slot := range slices.Sorted(maps.Keys(bySlot)) {
				var group []fieldSite
				var keys [][]any
				for _, i := range bySlot[slot] {
					group = append(group, sites[name][i])
					k, _ := out[i].(extend.Result).IsRows()
					keys = append(keys, k)
				}
				if e := h.keyedFieldRows(ctx, tx, req, f, group, keys, values, late); e != nil {
					if pgexec.RequestLevel(e) {
						return false, e
					}
					f.fail(e)
				}
			}
		}
	}
	for f, vs := range values {
		if f.err != nil {
			continue
		}
		for i := range vs {
			if vs[i] == nil {
				vs[i] = json.RawMessage("null")
			}
		}
		rewritten, err := markers.Replace(f.result, vs)
		if err != nil {
			f.fail(&Error{Message: "The result of this field could not be written.", Code: CodeInternal})
			continue
		}
		f.result = rewritten
	}
	return true, nil
}

// fieldRows reads the rows an object field's resolver picked by a
// condition for the parent of site s: one statement, its value the
// field's.
func (h *Handler) fieldRows(ctx context.Context, tx *pgexec.Tx, req *extend.Request, s fieldSite, field *schema.Field, pick sqlgen.Pick, values map[*rootField][]json.RawMessage, late map[*rootField][]nonnull.Site) *Error {
	f := s.field
	stmt, err := sqlgen.ComposeFieldRows(h.index, h.cfg.Limits.sql(), field, s.call.Sel, req.Claims, pick, false, s.call.Up, len(f.resolves), len(late[f]))
	if err != nil {
		return wire.As(err, CodeInternal)
	}
	doc, e := tx.Statement(ctx, stmt)
	if e != nil {
		return e
	}
	f.resolves = append(f.resolves, stmt.Resolves...)
	late[f] = append(late[f], stmt.Nulls[len(late[f]):]...)
	values[f][s.marker] = doc
	return nil
}

// keyedFieldRows reads, in one statement, the rows an object field's
// resolver picked by key for the parents of group (sites of one call
// site in f), and gives each parent its rows in the order of its keys: a
// list, or the first found (null when none).
func (h *Handler) keyedFieldRows(ctx context.Context, tx *pgexec.Tx, req *extend.Request, f *rootField, group []fieldSite, keys [][]any, values map[*rootField][]json.RawMessage, late map[*rootField][]nonnull.Site) *Error {
	call := group[0].call
	field := h.index.Objects[call.Type].Fields[call.Field]
	var all []any
	seen := map[string]bool{}
	for _, ks := range keys {
		for _, k := range ks {
			if text := keyText(k); !seen[text] {
				seen[text] = true
				all = append(all, k)
			}
		}
	}
	stmt, err := sqlgen.ComposeFieldRows(h.index, h.cfg.Limits.sql(), field, call.Sel, req.Claims, sqlgen.Pick{Keys: all}, true, call.Up, len(f.resolves), len(late[f]))
	if err != nil {
		return wire.As(err, CodeInternal)
	}
	doc, e := tx.Statement(ctx, stmt)
	if e != nil {
		return e
	}
	f.resolves = append(f.resolves, stmt.Resolves...)
	late[f] = append(late[f], stmt.Nulls[len(late[f]):]...)
	var pairs [][2]json.RawMessage
	if err := json.Unmarshal(doc, &pairs); err != nil {
		return &Error{Message: "The rows a resolver picked could not be read.", Code: CodeInternal, Err: err}
	}
	rows := make(map[string]json.RawMessage, len(pairs))
	for _, p := range pairs {
		var k any
		d := json.NewDecoder(bytes.NewReader(p[0]))
		d.UseNumber()
		if d.Decode(&k) == nil {
			rows[keyText(k)] = p[1]
		}
	}
	for i, s := range group {
		limit, offset, _ := sqlgen.ResolverPage(field, s.call.Args, h.cfg.Limits.sql().MaxPageSize) // checked when composed
		var b bytes.Buffer
		for _, k := range keys[i] {
			row, ok := rows[keyText(k)]
			switch {
			case !ok:
			case field.Type.Elem == nil:
				b.Write(row)
			case offset > 0:
				offset--
			case limit != 0:
				limit--
				if b.Len() > 0 {
					b.WriteByte(',')
				}
				b.Write(row)
			}
			if field.Type.Elem == nil && b.Len() > 0 {
				break
			}
		}
		switch {
		case field.Type.Elem != nil:
			values[f][s.marker] = json.RawMessage("[" + b.String() + "]")
		case b.Len() > 0:
			values[f][s.marker] = json.RawMessage(b.String())
		case field.Type.NonNull: // no row: a null of a non-null field
			late[f] = append(late[f], nonnull.Site{Type: s.call.Type, Field: s.call.Field, Up: s.call.Up, Loc: s.call.Loc})
			values[f][s.marker] = nonnull.Marker(len(late[f]) - 1)
		}
	}
	return nil
}

// keyText is a key value as text that matches however it was written: a
// resolver's Go value or PostgreSQL's JSON of the column.
func keyText(k any) string {
	switch v := sqlgen.Bindable(k).(type) {
	case string:
		return "s" + v
	case int64:
		return "n" + strconv.FormatInt(v, 10)
	case float64:
		return "n" + strconv.FormatFloat(v, 'g', -1, 64)
	}
	return fmt.Sprintf("%T%v", k, k)
}

// callResolver runs a resolver, turning its error and its panic into the
// field's error.
// The call gets the context of the resolver's span, when traced.
func (h *Handler) callResolver(ctx context.Context, name string, call func(context.Context) error) (failure *Error) {
	var span trace.Span
	if h.tracing != nil {
		ctx, span = h.tracing.startResolver(ctx, name)
		defer func() { endResolver(span, failure) }()
	}
	defer func() {
		if r := recover(); r != nil {
			h.log.LogAttrs(ctx, slog.LevelError, "resolver panicked", slog.String("request_id", wire.RequestID(ctx)),
				slog.String("resolver", name), slog.String("panic", fmt.Sprint(r)), slog.String("stack", string(debug.Stack())))
			failure = &Error{Message: fmt.Sprintf("Resolver %s failed; see request %s in the server's log.", name, wire.RequestID(ctx)), Code: CodeInternal}
		}
	}()
	err := call(ctx)
	if err == nil {
		return nil
	}
	var shown *extend.Error
	if errors.As(err, &shown) {
		return &Error{Message: shown.Message, Code: shown.Code}
	}
	if _, fromDatabase := errors.AsType[*pgconn.PgError](err); fromDatabase {
		return h.exec.Fault(ctx, err)
	}
	return h.resolverFailure(ctx, name, err)
}

// resolverFailure is the INTERNAL error of a resolver that failed: the
// cause is logged, and shown only with Dev.
func (h *Handler) resolverFailure(ctx context.Context, name string, err error) *Error {
	h.log.LogAttrs(ctx, slog.LevelError, "resolver failed", slog.String("request_id", wire.RequestID(ctx)),
		slog.String("resolver", name), slog.String("error", err.Error()))
	msg := fmt.Sprintf("Resolver %s failed; see request %s in the server's log.", name, wire.RequestID(ctx))
	if h.cfg.Dev {
		msg = fmt.Sprintf("Resolver %s failed: %v", name, err)
	}
	return &Error{Message: msg, Code: CodeInternal}
}

// resolverTx is the request's transaction as a resolver sees it: the
// statements of pgx, not its connection. Each is one statement of the
// extended protocol (pgx would send an Exec without arguments as a simple
// query, which may hold several), and one that ends or nests the
// transaction is refused before it is sent: a resolver cannot commit what
// the request has not finished. Savepoint is its way to nest.
type resolverTx struct {
	conn  *pgx.Conn
	open  func(context.Context) error // sends the savepoint the resolver runs in, if not yet
	depth int                         // the savepoints of Savepoint open
}

func (t *resolverTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := refuseTransactionControl(sql); err != nil {
		return pgconn.CommandTag{}, err
	}
	if err := t.open(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	if len(args) == 0 {
		r := t.conn.PgConn().ExecParams(ctx, sql, nil, nil, nil, nil).Read()
		return r.CommandTag, r.Err
	}
	return t.conn.Exec(ctx, sql, numbersForPgx(args)...)
}

func (t *resolverTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := refuseTransactionControl(sql); err != nil {
		return nil, err
	}
	if err := t.open(ctx); err != nil {
		return nil, err
	}
	return t.conn.Query(ctx, sql, append([]any{pgx.QueryExecModeExec}, numbersForPgx(args)...)...)
}

// numbersForPgx are a resolver's arguments with each json.Number — how it
// is given numbers — as the int64 or float64 pgx binds: a value it was
// given goes back into SQL as it is.
func numbersForPgx(args []any) []any {
	for i, a := range args {
		if _, ok := a.(json.Number); ok {
			args = slices.Clone(args)
			for j := i; j < len(args); j++ {
				if _, ok := args[j].(json.Number); ok {
					args[j] = sqlgen.Bindable(args[j])
				}
			}
			break
		}
	}
	return args
}

func (t *resolverTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := t.Query(ctx, sql, args...)
	if err != nil {
		return errRow{err}
	}
	return rowOf{rows}
}

func (t *resolverTx) Savepoint(ctx context.Context, fn func(extend.Tx) error) error {
	t.depth++
	defer func() { t.depth-- }()
	name := fmt.Sprintf("gqlplan_resolver_%d", t.depth)
	if err := t.open(ctx); err != nil {
		return err
	}
	if err := t.control(ctx, "SAVEPOINT "+name); err != nil {
		return err
	}
	err := fn(t)
	if err == nil && t.conn.PgConn().TxStatus() == 'T' {
		return t.control(ctx, "RELEASE SAVEPOINT "+name)
	}
	if undo := t.control(ctx, "ROLLBACK TO SAVEPOINT "+name+"; RELEASE SAVEPOINT "+name); undo != nil {
		return fmt.Errorf("rolling back to the savepoint: %w (after %v)", undo, err)
	}
	if err == nil {
		err = errors.New("a statement failed inside the savepoint")
	}
	return err
}

// control runs a transaction control statement of the server's own.
func (t *resolverTx) control(ctx context.Context, sql string) error {
	_, err := t.conn.PgConn().Exec(ctx, sql).ReadAll()
	return err
}

// refuseTransactionControl refuses a statement that would end, nest or
// prepare the request's transaction, by its first keyword.
func refuseTransactionControl(sql string) error {
	first, rest := sqlgen.FirstKeyword(sql)
	switch first {
	case "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE":
	case "PREPARE":
		if second, _ := sqlgen.FirstKeyword(rest); second != "TRANSACTION" {
			return nil
		}
	default:
		return nil
	}
	return fmt.Errorf("a resolver may not run %s: the request's transaction is the server's (extend.Tx.Savepoint nests one)", first)
}

// rowOf and errRow are pgx.Row over the rows of Query, as pgx's own.
type rowOf struct{ rows pgx.Rows }

func (r rowOf) Scan(dest ...any) error {
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
