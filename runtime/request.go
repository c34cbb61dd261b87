package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"go.opentelemetry.io/otel/trace"
	"slices"
	"strings"
	"time"

	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/extend"
	"github.com/gqlplan/gqlplan/runtime/internal/document"
	"github.com/gqlplan/gqlplan/runtime/internal/nonnull"
	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/pgexec"
	"github.com/gqlplan/gqlplan/runtime/internal/schema"
	"github.com/gqlplan/gqlplan/runtime/internal/sqlgen"
	"github.com/gqlplan/gqlplan/runtime/internal/transport"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// rootField is one key of the response's data and how it is produced.
type rootField struct {
	key string
	// label names the field in the metrics: the plan's operation, or
	// (introspection), (typename), (none) for one the plan does not have.
	label    string
	source   string // the plan's quoted name of what it reads or calls, for traces
	parent   string // the root type: Query or Mutation
	name     string // the field's name
	nonNull  bool   // a null here nulls the whole data
	typename string // __typename: the root type's name
	stmt     *sqlgen.Statement
	token    bool // the result is claims, answered with a signed token
	// stream: the result is a stream's batch (sqlgen.SplitStreamBatch)
	// of at most batchSize rows, unwrapped once read.
	stream    bool
	batchSize int64
	// resolver runs the field (see resolvers.go), on planned and sel.
	resolver extend.OperationFunc
	planned  *schema.Operation
	sel      *operation.Field
	// resolves are the field resolvers whose markers result holds, by
	// slot.
	resolves []sqlgen.Resolve
	result   json.RawMessage
	err      *Error
	// nullErrs are the errors of nulls beneath the field, where the
	// schema promises none (see package nonnull); nulled is set when one
	// went past the field, to the data.
	nullErrs []*Error
	nulled   bool
	loc      Location
}

// placeNulls places the nulls whose markers doc, a value at path within
// f, holds: their errors are f's, and a null that goes past the value
// makes it null and, when path is f's own, reaches the data. It returns
// the value to write.
func (f *rootField) placeNulls(doc json.RawMessage, sites []nonnull.Site, path []any) json.RawMessage {
	if len(sites) == 0 || !nonnull.Has(doc) {
		return doc
	}
	res, err := nonnull.Apply(doc, sites, path)
	if err != nil {
		f.fail(&Error{Message: "The result of this field could not be read.", Code: CodeInternal, Err: err})
		return nil
	}
	f.nullErrs = append(f.nullErrs, res.Errors...)
	if res.DataNull && len(path) == 1 {
		f.nulled = true
	}
	return res.JSON
}

// fail sets the field's error, located at the field and pathed to its key.
func (f *rootField) fail(e *Error) {
	e.Path = []any{f.key}
	e.Locations = nil
	e.Locate(f.loc)
	f.err = e
}

// planRequest is the operation of r and what produces each of its root
// fields: reused when a request of r's shape was composed before (see
// composedCache), collected and composed otherwise, and then kept when
// every field composed. With after (a stream's next batch, whose after is
// not the document's) it is composed afresh and not kept.
func (h *Handler) planRequest(r *document.Request, who auth.Identity, after json.RawMessage) (*operation.Operation, []*rootField, []*Error) {
	if hit := h.cachedPlan(r, after); hit != nil {
		fields, e := h.plan(hit.op, who.Role, who.Claims, r.Vars, hit.statements, nil)
		switch {
		case e != nil:
			return hit.op, nil, []*Error{e}
		case fields != nil:
			h.metrics.composedHit.Inc()
			return hit.op, fields, nil
		}
		// A slot's new value did not convert: compose, for its error.
	}
	op, errs := h.docs.Collect(r)
	if errs != nil {
		return op, nil, errs
	}
	h.metrics.composedMiss.Inc()
	fields, e := h.plan(op, who.Role, who.Claims, nil, nil, after)
	if e != nil {
		return op, nil, []*Error{e}
	}
	if after == nil && !slices.ContainsFunc(fields, func(f *rootField) bool { return f.err != nil || f.resolver != nil }) {
		h.composed.add(r, op, fields)
	}
	return op, fields, nil
}

// cachedPlan is the kept composition of r's shape, unless after (a
// stream's next batch) replaces its argument.
func (h *Handler) cachedPlan(r *document.Request, after json.RawMessage) *composed {
	if after != nil {
		return nil
	}
	return h.composed.find(r)
}

// plan turns the root fields of op into what produces each: __typename,
// introspection (answered here, from the schema as declared) or a plan
// operation, authorized and composed into its statement. Errors of one
// field (bad arguments, a missing claim) stay on that field. With
// composed, the statements of an earlier request of this shape, each
// field's is rebound to vars and claims instead; when one cannot be, plan
// returns no fields and no error. after, when set, is where a stream
// field's batch starts instead.
func (h *Handler) plan(op *operation.Operation, role string, claims, vars map[string]any, composed []*sqlgen.Statement, after json.RawMessage) ([]*rootField, *Error) {
	if role == "" {
		role = h.loginRole // no role switch: the request runs as the pool's own
	}
	rootType, ops := "Query", h.index.Queries
	switch op.Kind {
	case operation.Mutation:
		rootType, ops = "Mutation", h.index.Mutations
	case operation.Subscription:
		rootType, ops = "Subscription", h.index.Subscriptions
	}
	fields := make([]*rootField, 0, len(op.Fields))
	for i, sel := range op.Fields {
		f := &rootField{key: sel.Key, loc: sel.Loc, parent: rootType, name: sel.Name, label: fieldNone}
		fields = append(fields, f)
		switch name := sel.Name; name {
		case "__typename":
			f.typename, f.label = rootType, fieldTypename
		case "__schema", "__type":
			f.label = fieldIntrospection
			if h.cfg.NoIntrospection {
				return nil, &Error{Message: "Introspection is disabled on this server.", Code: CodeIntrospectionOff}
			}
			f.result = h.docs.Introspection().Answer(sel)
		default:
			planned := ops[name]
			if planned == nil { // validation rejects this; never trust it blindly
				f.fail(&Error{Message: fmt.Sprintf("Cannot query field %q on type %q.", name, rootType), Code: CodeValidationFailed})
				break
			}
			f.label, f.source = planned.Spec.Name, planned.Spec.Source.SQL
			f.nonNull = planned.Returns.NonNull
			f.token = planned.Spec.Token
			if st := planned.Spec.Stream; st != nil {
				f.stream, f.batchSize = true, st.BatchSize
			}
			if f.stream && after != nil {
				sel = sel.WithArg(spec.ArgAfter, cursorValue(after))
			}
			if sel.Err != nil {
				f.fail(sel.Err)
				break
			}
			if len(planned.Spec.Roles) > 0 && !slices.Contains(planned.Spec.Roles, role) {
				if claims == nil { // a token's role could call it
					f.fail(unauthenticated(name))
					break
				}
				// The role is not named: it may be a database role's name.
				f.fail(&Error{Message: fmt.Sprintf("%s may not be called with the role of this request.", name), Code: CodeForbidden})
				break
			}
			if e := authorize(planned, claims); e != nil {
				f.fail(e)
				break
			}
			if name := planned.Spec.Resolver; name != "" {
				f.resolver, f.planned, f.sel = h.cfg.Resolvers.Operations[name], planned, sel
				break
			}
			if composed != nil {
				if composed[i] == nil {
					return nil, nil
				}
				stmt, ok := composed[i].Rebind(vars, claims)
				if !ok {
					return nil, nil
				}
				f.stmt = &stmt
				break
			}
			stmt, err := sqlgen.Compose(h.index, h.cfg.Limits.sql(), planned, sel, claims)
			if err != nil {
				f.fail(wire.As(err, CodeInternal))
				break
			}
			if f.stream && len(stmt.Resolves) > 0 {
				f.fail(&Error{Message: fmt.Sprintf("%s is a stream: its rows cannot hold fields computed by Go resolvers.", name), Code: CodeBadRequest})
				break
			}
			f.stmt = &stmt
		}
	}
	return fields, nil
}

// execute runs the statements of the fields that have one and sets their
// results; the error is one that reached no field.
func (h *Handler) execute(ctx context.Context, op *operation.Operation, who auth.Identity, sess pgexec.Session, fields []*rootField, arena *[]byte) *Error {
	if op.Kind == operation.Mutation && h.replicas != nil {
		writes := &pgexec.Writes{}
		ctx = pgexec.WithWrites(ctx, writes)
		defer h.noteWrite(ctx, writes) // even one that failed may have committed
	}
	if runsGo(fields) {
		return h.executeWithResolvers(ctx, op, who, sess, fields, arena)
	}
	var pending []*rootField
	var stmts []sqlgen.Statement
	for _, f := range fields {
		if f.stmt != nil && f.err == nil {
			pending = append(pending, f)
			stmts = append(stmts, *f.stmt)
		}
	}
	var results []pgexec.Result
	var fatal *Error
	var span trace.Span
	if h.tracing != nil && len(stmts) > 0 {
		ctx, span = h.tracing.startStatements(ctx, stmts, sourcesOf(pending))
	}
	start := time.Now()
	if op.Kind == operation.Mutation {
		results, fatal = h.exec.Run(ctx, true, sess, stmts, arena)
	} else {
		results, fatal = h.runRead(ctx, op.Kind == operation.Subscription, sess, stmts, arena)
	}
	if len(stmts) > 0 {
		h.metrics.databaseOf[kindName(op.Kind)].Observe(time.Since(start).Seconds())
	}
	endStatements(span, results, fatal)
	if fatal != nil {
		return fatal
	}
	for i, r := range results {
		pending[i].result = r.JSON
		if r.Err != nil {
			pending[i].fail(r.Err)
		}
	}
	return nil
}

// sourcesOf is what fields read or call, for a trace.
func sourcesOf(fields []*rootField) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.source
	}
	return out
}

// respond is the executed response: every root field's value, and its
// error; a failed non-null root field nulls the data.
func respond(media string, fields []*rootField) *transport.Response {
	out := &transport.Response{Media: media, Status: 200, Data: make([]transport.Entry, len(fields))}
	for i, f := range fields {
		if f.stmt != nil && f.err == nil {
			f.result = f.placeNulls(f.result, f.stmt.Nulls, []any{f.key})
		}
		out.Errors = append(out.Errors, f.nullErrs...)
		e := transport.Entry{Key: f.key, Value: f.result}
		switch {
		case f.nulled:
			// The null of a field beneath, its error given.
			e.Value = nil
			out.DataNull = out.DataNull || f.nonNull
		case f.typename != "":
			e.Value, _ = json.Marshal(f.typename)
		case f.err != nil:
			e.Value = nil
			out.Errors = append(out.Errors, f.err)
			out.DataNull = out.DataNull || f.nonNull
		case f.nonNull && (f.stmt != nil || f.resolver != nil) && len(f.result) == 0:
			// As graphql-js says it: a null where the type promises none
			// is an error, and it nulls the data.
			f.fail(&Error{Message: fmt.Sprintf("Cannot return null for non-nullable field %s.%s.", f.parent, f.name), Code: CodeInternal})
			out.Errors = append(out.Errors, f.err)
			out.DataNull = true
		}
		out.Data[i] = e
	}
	return out
}

// authorize checks that the claims an operation injects are present.
func authorize(op *schema.Operation, claims map[string]any) *Error {
	if len(op.Spec.Claims) == 0 {
		return nil
	}
	if claims == nil {
		return unauthenticated(op.Spec.Name)
	}
	var missing []string
	for _, c := range op.Spec.Claims {
		if v, ok := claims[c]; !ok || v == nil {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return &Error{Message: fmt.Sprintf("%s requires the token claim %s, which it does not carry.", op.Spec.Name, strings.Join(quoteAll(missing), ", ")), Code: CodeForbidden}
	}
	return nil
}

// unauthenticated is the error of operation name, called without a token
// when only a token can open it.
func unauthenticated(name string) *Error {
	return &Error{Message: fmt.Sprintf("%s requires authentication: send a bearer token.", name), Code: CodeUnauthenticated}
}

// unauthenticatedFields are the errors of the fields that only a token
// opens, for a request without one: it is refused as a whole (401), so
// that a client sends its user to log in, and nothing runs.
func unauthenticatedFields(who auth.Identity, fields []*rootField) []*Error {
	if who.Claims != nil {
		return nil
	}
	var out []*Error
	for _, f := range fields {
		if f.err != nil && f.err.Code == CodeUnauthenticated {
			e := *f.err
			e.Path = nil // a request error: no field answers
			out = append(out, &e)
		}
	}
	return out
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("%q", n)
	}
	return out
}
