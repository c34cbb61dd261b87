package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// otlpReceiver is an OTLP/HTTP trace receiver: it decodes what an
// exporter posts to /v1/traces (protobuf, gzip or not) and keeps the
// spans, each with its resource's attributes.
type otlpReceiver struct {
	url   string
	mu    sync.Mutex
	spans []receivedSpan
}

type receivedSpan struct {
	*tracepb.Span
	resource map[string]string
}

func startOTLPReceiver(t *testing.T) *otlpReceiver {
	t.Helper()
	r := &otlpReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/v1/traces" || req.Method != http.MethodPost {
			http.NotFound(w, req)
			return
		}
		var body io.Reader = req.Body
		if req.Header.Get("Content-Encoding") == "gzip" {
			gz, err := gzip.NewReader(req.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body = gz
		}
		raw, err := io.ReadAll(body)
		var msg collectortrace.ExportTraceServiceRequest
		if err == nil {
			err = proto.Unmarshal(raw, &msg)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		for _, rs := range msg.ResourceSpans {
			res := attributes(rs.Resource.GetAttributes())
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					r.spans = append(r.spans, receivedSpan{Span: s, resource: res})
				}
			}
		}
		r.mu.Unlock()
		out, _ := proto.Marshal(&collectortrace.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(out)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

// trace is the spans received of trace id (hex), once there are n.
func (r *otlpReceiver) trace(t *testing.T, id string, n int) []receivedSpan {
	t.Helper()
	var out []receivedSpan
	waitFor(t, "the spans of trace "+id, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		out = out[:0]
		for _, s := range r.spans {
			if hex.EncodeToString(s.TraceId) == id {
				out = append(out, s)
			}
		}
		return len(out) >= n
	})
	return out
}

// attributes flattens OTLP attributes to strings.
func attributes(kvs []*commonpb.KeyValue) map[string]string {
	out := map[string]string{}
	for _, kv := range kvs {
		switch v := kv.Value.Value.(type) {
		case *commonpb.AnyValue_StringValue:
			out[kv.Key] = v.StringValue
		case *commonpb.AnyValue_IntValue:
			out[kv.Key] = strings.TrimSpace(string(must(json.Marshal(v.IntValue))))
		default:
			out[kv.Key] = kv.Value.String()
		}
	}
	return out
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// tracedPost posts query as token with traceparent (none when empty).
func tracedPost(t *testing.T, s *server, token, traceparent, query string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if traceparent != "" {
		req.Header.Set("traceparent", traceparent)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// byKind is the span of kind among spans, which must have one.
func byKind(t *testing.T, spans []receivedSpan, kind tracepb.Span_SpanKind) receivedSpan {
	t.Helper()
	for _, s := range spans {
		if s.Kind == kind {
			return s
		}
	}
	t.Fatalf("no %v span among %d", kind, len(spans))
	return receivedSpan{}
}

// TestTracesOverOTLP: serve with the standard OTEL_* variables exports
// spans over OTLP/HTTP to a receiver. A query's SERVER span is the child
// of the caller's traceparent, named and attributed for its operation
// (its document without its literals); its CLIENT span holds the plan's
// SQL and the database's attributes. A statement that fails marks its
// span an error with the SQLSTATE. With Go resolvers, the tree is server
// → transaction → resolver. The log line carries the trace id.
func TestTracesOverOTLP(t *testing.T) {
	receiver := startOTLPReceiver(t)
	env := []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + receiver.url, "OTEL_BSP_SCHEDULE_DELAY=50", "OTEL_SERVICE_NAME=gqlplan-e2e"}
	admin, login, plan := compileExample(t, "forum", "forum_example_gqlplan")
	s := serveBinary(t, binary, env, admin, login, plan, "--default-role", "forum_example_anonymous")

	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	tracedPost(t, s, "", "00-"+traceID+"-"+parentID+"-01", `query Posts { allPosts(limit: 2, topic: SHOWCASE) { headline } }`)
	spans := receiver.trace(t, traceID, 2)
	server := byKind(t, spans, tracepb.Span_SPAN_KIND_SERVER)
	if hex.EncodeToString(server.ParentSpanId) != parentID || server.Name != "query Posts" {
		t.Errorf("the server span: %q, parent %x; want query Posts under %s", server.Name, server.ParentSpanId, parentID)
	}
	attrs := attributes(server.Attributes)
	for k, want := range map[string]string{"graphql.operation.type": "query", "graphql.operation.name": "Posts", "http.response.status_code": "200",
		"graphql.document": "query Posts { allPosts ( limit : ? topic : SHOWCASE ) { headline } }"} {
		if attrs[k] != want {
			t.Errorf("server span %s = %q, want %q", k, attrs[k], want)
		}
	}
	if server.resource["service.name"] != "gqlplan-e2e" {
		t.Errorf("service.name %q: OTEL_SERVICE_NAME is not followed", server.resource["service.name"])
	}
	db := byKind(t, spans, tracepb.Span_SPAN_KIND_CLIENT)
	attrs = attributes(db.Attributes)
	if string(db.ParentSpanId) != string(server.SpanId) || db.Name != `SELECT "forum_example"."post"` {
		t.Errorf("the database span %q is not the server span's child named for its source", db.Name)
	}
	if attrs["db.system.name"] != "postgresql" || attrs["db.namespace"] == "" || attrs["db.query.summary"] != db.Name ||
		!strings.Contains(attrs["db.query.text"], `FROM "forum_example"."post"`) || !strings.Contains(attrs["db.query.text"], "$1") {
		t.Errorf("the database span's attributes: %v", attrs)
	}
	if db.Status.GetCode() == tracepb.Status_STATUS_CODE_ERROR {
		t.Errorf("a statement that ran is an error: %v", db.Status)
	}
	waitFor(t, "the request's log line, with its trace_id", func() bool { return strings.Contains(s.log.String(), "trace_id="+traceID) })

	// A post by someone else: Row Level Security refuses the row.
	const failing = "0af7651916cd43dd8448eb211c80319c"
	tracedPost(t, s, personToken(t), "00-"+failing+"-b7ad6b7169203331-01", `mutation { createPost(authorId: 2, headline: "not mine") { id } }`)
	db = byKind(t, receiver.trace(t, failing, 2), tracepb.Span_SPAN_KIND_CLIENT)
	if attrs := attributes(db.Attributes); db.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR || attrs["db.response.status_code"] != "42501" ||
		!strings.Contains(attrs["db.query.text"], `"forum_example"."create_post"(`) {
		t.Errorf("the failed statement's span: status %v, %v", db.Status, attrs)
	}
	if strings.Contains(attributes(byKind(t, receiver.trace(t, failing, 2), tracepb.Span_SPAN_KIND_SERVER).Attributes)["graphql.document"], "not mine") {
		t.Error("a literal of the document is in the trace")
	}

	// Go resolvers: the server span, the transaction, a span per resolver call.
	admin, login, plan = compileExample(t, "extend", "extend_gqlplan")
	rates := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `{"rate": 1.52}`) }))
	defer rates.Close()
	ext := serveBinary(t, extendServer, append(env, "EXCHANGE_RATE_URL="+rates.URL, "SMTP_ADDR=127.0.0.1:1"), admin, login, plan, "--default-role", "extend_anonymous")
	const resolved = "5b8efff798038103d269b633813fc60c"
	tracedPost(t, ext, "", "00-"+resolved+"-eee19b7ec3c1b174-01", `{ products { id priceInAuCents } }`)
	spans = receiver.trace(t, resolved, 3)
	server, tx, resolver := byKind(t, spans, tracepb.Span_SPAN_KIND_SERVER), byKind(t, spans, tracepb.Span_SPAN_KIND_CLIENT), byKind(t, spans, tracepb.Span_SPAN_KIND_INTERNAL)
	if string(tx.ParentSpanId) != string(server.SpanId) || string(resolver.ParentSpanId) != string(tx.SpanId) || resolver.Name != "resolver priceInAuCents" {
		t.Errorf("the tree: server %q, transaction %q under %x, resolver %q under %x; want server → transaction → resolver priceInAuCents",
			server.Name, tx.Name, tx.ParentSpanId, resolver.Name, resolver.ParentSpanId)
	}
}
