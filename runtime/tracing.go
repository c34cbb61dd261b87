package runtime

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/gqlplan/gqlplan/runtime/internal/document"
	"github.com/gqlplan/gqlplan/runtime/internal/pgexec"
	"github.com/gqlplan/gqlplan/runtime/internal/sqlgen"
)

// Traces (Config.TracerProvider), in OpenTelemetry's semantic
// conventions: a SERVER span per HTTP request, named for its GraphQL
// operation ("query Posts"), whose parent is the request's W3C
// traceparent; under it a CLIENT span per round of statements sent to
// PostgreSQL (db.system.name postgresql, db.namespace, db.query.text: the
// plan's SQL, with $n where values go — never a value;
// db.response.status_code: the SQLSTATE of a failure), and for a request
// that runs Go resolvers, one CLIENT span for its transaction and an
// INTERNAL span per resolver call beneath it. Without a provider nothing
// here runs: every hook is behind a nil check.

// tracerName is the instrumentation scope of the spans.
const tracerName = "github.com/gqlplan/gqlplan/runtime"

// tracing is the tracer and the attributes every database span carries.
type tracing struct {
	tracer trace.Tracer
	db     []attribute.KeyValue
}

// traceContext reads and writes W3C traceparent and tracestate.
var traceContext = propagation.TraceContext{}

// newTracing is the tracing of provider (nil: none) over the database of
// cfg.
func newTracing(provider trace.TracerProvider, cfg Config) *tracing {
	if provider == nil {
		return nil
	}
	conn := cfg.Pool.Config().ConnConfig
	return &tracing{
		tracer: provider.Tracer(tracerName),
		db: []attribute.KeyValue{semconv.DBSystemNamePostgreSQL, semconv.DBNamespace(conn.Database),
			semconv.ServerAddress(conn.Host), semconv.ServerPort(int(conn.Port))},
	}
}

// startRequest starts the server span of req, the child of its
// traceparent when it has one.
func (t *tracing) startRequest(ctx context.Context, req *http.Request) (context.Context, trace.Span) {
	ctx = traceContext.Extract(ctx, propagation.HeaderCarrier(req.Header))
	return t.tracer.Start(ctx, "GraphQL Operation", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(semconv.HTTPRequestMethodKey.String(req.Method), semconv.URLPath(req.URL.Path)))
}

// maxTracedDocument bounds graphql.document: a span is not the place for
// a 100 KiB document.
const maxTracedDocument = 4 << 10

// endRequest names the server span for what the request ran and ends it:
// the operation's kind and name, its document with every literal value
// left out (document.Redact), the status; a request the server failed
// (5xx) is an error, with its code as error.type.
func endRequest(span trace.Span, out outcome) {
	name := "GraphQL Operation"
	if out.kind != "" && out.kind != fieldNone {
		name = out.kind
		span.SetAttributes(semconv.GraphQLOperationTypeKey.String(out.kind))
		if out.operation != "" {
			name += " " + out.operation
			span.SetAttributes(semconv.GraphQLOperationName(out.operation))
		}
	}
	span.SetName(name)
	if out.document != "" {
		redacted := document.Redact(out.document)
		if len(redacted) > maxTracedDocument {
			redacted = redacted[:maxTracedDocument] + "…"
		}
		span.SetAttributes(semconv.GraphQLDocument(redacted))
	}
	if out.Response != nil {
		span.SetAttributes(semconv.HTTPResponseStatusCode(out.Status))
		if out.Status >= 500 && len(out.Errors) > 0 {
			span.SetAttributes(semconv.ErrorTypeKey.String(out.Errors[0].Code))
			span.SetStatus(codes.Error, out.Errors[0].Code)
		}
	}
	span.End()
}

// startStatements starts the CLIENT span of stmts, the statements of
// fields sent in one pipeline, under the request's span (none without
// one: a subscription's reads belong to no request).
func (t *tracing) startStatements(ctx context.Context, stmts []sqlgen.Statement, sources []string) (context.Context, trace.Span) {
	if t == nil || !trace.SpanContextFromContext(ctx).IsValid() {
		return ctx, nil
	}
	texts := make([]string, 0, len(stmts))
	for _, s := range stmts {
		if s.Call != nil { // a mutation's function call, then the read of its rows
			texts = append(texts, s.Call.SQL)
		}
		texts = append(texts, s.SQL)
	}
	summary := querySummary(sources)
	attrs := append(t.db[:len(t.db):len(t.db)], semconv.DBQuerySummary(summary), semconv.DBQueryText(strings.Join(texts, ";\n")))
	if len(stmts) > 1 {
		attrs = append(attrs, semconv.DBOperationBatchSize(len(stmts)))
	}
	return t.tracer.Start(ctx, summary, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
}

// startTransaction starts the CLIENT span of a request's transaction in
// which Go resolvers run beside its statements.
func (t *tracing) startTransaction(ctx context.Context, sources []string) (context.Context, trace.Span) {
	if t == nil || !trace.SpanContextFromContext(ctx).IsValid() {
		return ctx, nil
	}
	summary := querySummary(sources)
	attrs := append(t.db[:len(t.db):len(t.db)], semconv.DBQuerySummary(summary))
	return t.tracer.Start(ctx, summary, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
}

// startResolver starts the INTERNAL span of one call of the Go resolver
// name.
func (t *tracing) startResolver(ctx context.Context, name string) (context.Context, trace.Span) {
	if t == nil || !trace.SpanContextFromContext(ctx).IsValid() {
		return ctx, nil
	}
	return t.tracer.Start(ctx, "resolver "+name, trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(attribute.String("gqlplan.resolver", name)))
}

// querySummary is db.query.summary of statements reading or calling
// sources (the plan's quoted names), each once, in order: SELECT
// "forum_example"."post".
func querySummary(sources []string) string {
	var b strings.Builder
	seen := map[string]bool{}
	for _, s := range sources {
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s)
	}
	if b.Len() == 0 {
		return "SELECT"
	}
	return "SELECT " + b.String()
}

// endStatements ends a database span: an error when fatal ended the
// request, or a statement failed (the first failure's SQLSTATE as
// db.response.status_code).
func endStatements(span trace.Span, results []pgexec.Result, fatal *Error) {
	if span == nil {
		return
	}
	failed := fatal
	for _, r := range results {
		if failed == nil && r.Err != nil {
			failed = r.Err
		}
	}
	if failed != nil {
		kind := failed.Code
		if pgErr, ok := errors.AsType[*pgconn.PgError](failed.Err); ok {
			kind = pgErr.Code
			span.SetAttributes(semconv.DBResponseStatusCode(pgErr.Code))
		}
		span.SetAttributes(semconv.ErrorTypeKey.String(kind))
		span.SetStatus(codes.Error, kind)
	}
	span.End()
}

// endResolver ends a resolver's span, an error when the resolver failed.
func endResolver(span trace.Span, failure *Error) {
	if span == nil {
		return
	}
	if failure != nil {
		span.SetAttributes(semconv.ErrorTypeKey.String(failure.Code))
		span.SetStatus(codes.Error, failure.Code)
	}
	span.End()
}
