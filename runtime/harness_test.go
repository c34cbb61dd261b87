package runtime_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/compiler"
	"github.com/gqlplan/gqlplan/compiler/catalog"
	"github.com/gqlplan/gqlplan/extend"
	"github.com/gqlplan/gqlplan/internal/logbuf"
	"github.com/gqlplan/gqlplan/internal/pgtest"
	"github.com/gqlplan/gqlplan/runtime"
	"github.com/gqlplan/gqlplan/spec"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const testSecret = "0123456789abcdef0123456789abcdef-test-secret"

// server is a Handler over a fresh test database (testdata/schema.sql)
// serving testdata/api.yaml, connected as a per-test authenticator role.
type server struct {
	t        testing.TB
	plan     *spec.Plan
	handler  *runtime.Handler
	pool     *pgxpool.Pool
	admin    *pgx.Conn // superuser, same database
	adminDSN string    // its URL, for a connection of a test's own
	roles    testRoles
	logs     *logbuf.Buffer
	wire     *wireCounter
	sent     *statementLog // every statement the pool sent
}

type testRoles struct{ auth, anon, member string }

type serverOptions struct {
	maxConns int32
	dev      bool
	limits   runtime.Limits
	// withoutCatalog serves the plan compiled without --database-url.
	withoutCatalog bool
	// noPing hands out idle connections unchecked, however long idle: a
	// connection the server killed reaches the request.
	noPing bool
	// resolvers replaces testResolvers (resolvers_test.go).
	resolvers *extend.Resolvers
	// fixture is the directory of schema.sql and api.yaml ("testdata"
	// when empty).
	fixture string
	// serverTiming turns on Config.ServerTiming.
	serverTiming bool
	// trusted is Config.TrustedDocuments, and documents the plan's
	// trusted documents' texts; allowIntrospection is
	// Config.AllowIntrospection.
	trusted            string
	documents          []string
	allowIntrospection bool
	// pipelining is Config.Pipelining; GQLPLAN_TEST_PIPELINING=1 turns it
	// on for every server, so the whole suite can run pipelined — but for
	// a lone one's: its test watches what only the lone path does (the
	// statements pgx's tracer sees, which a pipeline's raw protocol
	// bypasses; a connection per request), and pipeline_test.go has the
	// pipelined counterparts.
	pipelining, lone bool
	// pipelineConnections is Config.PipelineConnections (0: one per core).
	pipelineConnections int
	// noCancelRequests: the pool's connections close rather than send a
	// cancel request (runtime.WithoutCancelRequests), and
	// Config.NoCancelRequests, as behind PgBouncer before 1.21.
	noCancelRequests bool
	// database is the URL of a database to serve instead of a new one of
	// the shared cluster; replicas are the URLs of its standbys' copies
	// of it (as their superuser), served as Config.Replicas (as the
	// authenticator), with replicaMaxLag and replicaWait; WatchReplicas
	// runs, probing every 100 ms.
	// statementCache is Config.StatementCache; GQLPLAN_TEST_STATEMENT_CACHE
	// sets it for every server.
	statementCache             string
	database                   string
	replicas                   []string
	replicaMaxLag, replicaWait time.Duration
}

var roleCounter atomic.Int64

func newServer(t testing.TB, opts serverOptions) *server {
	t.Helper()
	ctx := context.Background()
	dsn := opts.database
	if dsn == "" {
		dsn = pgtest.Database(t)
	}
	n := fmt.Sprintf("%d_%d", os.Getpid(), roleCounter.Add(1))
	roles := testRoles{auth: "gq_auth_" + n, anon: "gq_anon_" + n, member: "gq_member_" + n}
	fixture := cmp.Or(opts.fixture, "testdata")
	schemaSQL, err := os.ReadFile(filepath.Join(fixture, "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	sql := strings.NewReplacer("{{auth}}", roles.auth, "{{anon}}", roles.anon, "{{member}}", roles.member).Replace(string(schemaSQL))
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, sql); err != nil {
		t.Fatalf("apply schema.sql: %v", err)
	}
	s := &server{t: t, admin: admin, adminDSN: dsn, roles: roles, logs: &logbuf.Buffer{}, wire: &wireCounter{}, sent: &statementLog{}}
	t.Cleanup(func() {
		ctx := context.Background()
		if s.pool != nil {
			s.pool.Close()
		}
		// Roles outlive the database: drop them and what they own here.
		_, _ = admin.Exec(ctx, fmt.Sprintf("DROP OWNED BY %s, %s, %s CASCADE; DROP ROLE %s, %s, %s",
			roles.auth, roles.anon, roles.member, roles.auth, roles.anon, roles.member))
		admin.Close(ctx)
	})

	s.plan = s.compile(t, !opts.withoutCatalog, filepath.Join(fixture, "api.yaml"))
	if opts.documents != nil { // as compile --documents records them
		checker, err := runtime.NewDocumentChecker(s.plan, runtime.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range opts.documents {
			sum := sha256.Sum256([]byte(text))
			doc := spec.Document{ID: "sha256:" + hex.EncodeToString(sum[:]), Aliases: []string{"relay-" + hex.EncodeToString(sum[:4])}, Text: text}
			for _, op := range checker.Check(text).Operations {
				doc.Operations = append(doc.Operations, spec.DocumentOperation{Name: op.Name, Kind: op.Kind})
			}
			s.plan.Documents = append(s.plan.Documents, doc)
		}
	}

	authDSN, err := pgtest.WithUser(dsn, roles.auth)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := runtime.PoolConfig(authDSN, int(opts.maxConns), opts.limits)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = s.sent
	if opts.noPing {
		cfg.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return false }
	}
	if opts.noCancelRequests {
		runtime.WithoutCancelRequests(cfg)
	}
	dialer := &net.Dialer{}
	cfg.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return s.wire.wrap(conn), nil
	}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.NewVerifier(ctx, auth.Config{Secret: []byte(testSecret), DefaultRole: roles.anon})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := auth.NewSigner(auth.SignerConfig{Secret: []byte(testSecret)})
	if err != nil {
		t.Fatal(err)
	}
	resolvers := testResolvers()
	if opts.resolvers != nil {
		resolvers = *opts.resolvers
	}
	var replicas []runtime.ReplicaPool
	for i, url := range opts.replicas {
		authURL, err := pgtest.WithUser(url, roles.auth)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := runtime.PoolConfig(authURL, int(opts.maxConns), opts.limits)
		if err != nil {
			t.Fatal(err)
		}
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		replicas = append(replicas, runtime.ReplicaPool{Name: fmt.Sprintf("standby%d", i+1), Pool: pool})
	}
	s.handler, err = runtime.NewHandler(ctx, runtime.Config{
		Plan: s.plan, Pool: s.pool, Verifier: verifier, Signer: signer, Dev: opts.dev, Limits: opts.limits,
		Logger: slog.New(slog.NewJSONHandler(s.logs, nil)), Resolvers: resolvers, ServerTiming: opts.serverTiming,
		TrustedDocuments: opts.trusted, AllowIntrospection: opts.allowIntrospection,
		Pipelining:       opts.pipelining || os.Getenv("GQLPLAN_TEST_PIPELINING") == "1" && !opts.lone,
		StatementCache:   cmp.Or(os.Getenv("GQLPLAN_TEST_STATEMENT_CACHE"), opts.statementCache),
		NoCancelRequests: opts.noCancelRequests, PipelineConnections: opts.pipelineConnections,
		Replicas: replicas, ReplicaMaxLag: opts.replicaMaxLag, ReplicaWait: opts.replicaWait, ReplicaProbeInterval: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The listener: started, and settled (listening, its first
	// reload done), so that its own traffic is not counted as a request's.
	listening, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.handler.Listen(listening) }()
	watched := make(chan struct{})
	go func() { defer close(watched); s.handler.WatchReplicas(listening) }()
	t.Cleanup(func() { stop(); <-done; <-watched })
	for deadline := time.Now().Add(time.Minute); !strings.Contains(s.logs.String(), "reloaded the roles' settings"); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the listener did not start:\n%s", s.logs)
		}
	}
	return s
}

// compile compiles the declarations of paths, as compile does with
// --database-url when withCatalog (catalog facts such as parameter casts
// are then in the plan), through the plan's encoding: the runtime reads
// plans from disk.
func (s *server) compile(t testing.TB, withCatalog bool, paths ...string) *spec.Plan {
	t.Helper()
	files, diags, err := compiler.LoadPaths("", paths)
	if err != nil || diags.HasErrors() {
		t.Fatalf("load: %v %v", err, diags)
	}
	var compileOpts compiler.Options
	if withCatalog {
		cat, err := catalog.Load(context.Background(), s.admin, catalog.Options{})
		if err != nil {
			t.Fatal(err)
		}
		compileOpts.Catalog = cat
	}
	plan, diags := compiler.CompileWith(files, compileOpts)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	data, err := spec.Encode(plan)
	if err != nil {
		t.Fatal(err)
	}
	if plan, err = spec.Decode(data); err != nil {
		t.Fatal(err)
	}
	return plan
}

// token signs claims with the test secret (HS256), adding exp unless set.
func token(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	if _, ok := claims["exp"]; !ok {
		claims["exp"] = time.Now().Add(time.Hour).Unix()
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// result is a response as the client sees it.
type result struct {
	status int
	header http.Header
	body   string
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Locations  []any          `json:"locations"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// codes lists the errors' extensions.code.
func (r *result) codes() []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, fmt.Sprint(e.Extensions["code"]))
	}
	return out
}

// data is the "data" entry, compacted (keys keep their order).
func (r *result) data(t testing.TB) string {
	t.Helper()
	var b bytes.Buffer
	if len(r.Data) == 0 {
		return ""
	}
	if err := json.Compact(&b, r.Data); err != nil {
		t.Fatalf("data is not JSON: %v\n%s", err, r.body)
	}
	return b.String()
}

type call struct {
	method  string // default POST
	query   string
	vars    map[string]any
	opName  string
	token   string
	accept  string
	body    string // raw body instead of query/vars
	ctype   string // Content-Type, default application/json
	context context.Context
	handler *runtime.Handler // instead of s.handler (one a reload returned)
	// rawQuery is a GET's URL query instead of query and vars.
	rawQuery string
	// header is added to the request's.
	header http.Header
}

func (s *server) do(c call) *result {
	s.t.Helper()
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	var req *http.Request
	if method == http.MethodGet {
		u := "/graphql?query=" + urlEscape(c.query)
		if c.vars != nil {
			v, _ := json.Marshal(c.vars)
			u += "&variables=" + urlEscape(string(v))
		}
		if c.rawQuery != "" {
			u = "/graphql?" + c.rawQuery
		}
		req = httptest.NewRequest(method, u, nil)
	} else {
		body := c.body
		if body == "" && c.query != "" {
			payload := map[string]any{"query": c.query}
			if c.vars != nil {
				payload["variables"] = c.vars
			}
			if c.opName != "" {
				payload["operationName"] = c.opName
			}
			b, _ := json.Marshal(payload)
			body = string(b)
		}
		req = httptest.NewRequest(method, "/graphql", strings.NewReader(body))
		ctype := c.ctype
		if ctype == "" {
			ctype = "application/json"
		}
		req.Header.Set("Content-Type", ctype)
	}
	if c.context != nil {
		req = req.WithContext(c.context)
	}
	for name, values := range c.header {
		for _, v := range values {
			req.Header.Add(name, v)
		}
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.accept != "" {
		req.Header.Set("Accept", c.accept)
	}
	rec := httptest.NewRecorder()
	cmp.Or(c.handler, s.handler).ServeHTTP(rec, req)
	out := &result{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
	if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
		s.t.Fatalf("response is not JSON: %v\n%s", err, rec.Body.String())
	}
	return out
}

// query posts a query and fails the test on any error in the response.
func (s *server) query(query string, vars map[string]any, tok string) string {
	s.t.Helper()
	r := s.do(call{query: query, vars: vars, token: tok})
	if r.status != http.StatusOK || len(r.Errors) > 0 {
		s.t.Fatalf("%s\n→ %d %s\nlog:\n%s", query, r.status, r.body, s.logs)
	}
	return r.data(s.t)
}

func (s *server) scalar(sql string, args ...any) string {
	s.t.Helper()
	var out string
	if err := s.admin.QueryRow(context.Background(), sql, args...).Scan(&out); err != nil {
		s.t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func urlEscape(s string) string {
	return strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", "#", "%23", " ", "+", "\n", "%0A").Replace(s)
}

// wireCounter counts, over every connection of the pool, the client's
// protocol messages that make the server answer (Sync and simple Query)
// and the write-then-read turnarounds: each is one network round trip.
type wireCounter struct {
	syncs       atomic.Int64
	turnarounds atomic.Int64
}

func (w *wireCounter) wrap(c net.Conn) net.Conn { return &countedConn{Conn: c, w: w} }

func (w *wireCounter) reset() { w.syncs.Store(0); w.turnarounds.Store(0) }

// countedConn is used by two goroutines at once: pgx writes from the
// request's goroutine while its background reader (started when a flush may
// block) reads, so what both touch is atomic, and what Write keeps is
// guarded by its own mutex.
type countedConn struct {
	net.Conn
	w     *wireCounter
	wrote atomic.Bool // a write since the last read

	mu      sync.Mutex
	started bool   // the startup message (no type byte) was sent
	pending []byte // a partial frontend message
}

func (c *countedConn) Write(p []byte) (int, error) {
	c.wrote.Store(true)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = append(c.pending, p...)
	for {
		if !c.started { // startup or SSL request: length, then body, no type byte
			if len(c.pending) < 4 {
				break
			}
			n := int(be32(c.pending))
			if len(c.pending) < n {
				break
			}
			c.pending = c.pending[n:]
			c.started = true
			continue
		}
		if len(c.pending) < 5 {
			break
		}
		n := int(be32(c.pending[1:])) + 1
		if len(c.pending) < n {
			break
		}
		if t := c.pending[0]; t == 'S' || t == 'Q' {
			c.w.syncs.Add(1)
		}
		c.pending = c.pending[n:]
	}
	return c.Conn.Write(p)
}

func (c *countedConn) Read(p []byte) (int, error) {
	if c.wrote.Swap(false) {
		c.w.turnarounds.Add(1)
	}
	return c.Conn.Read(p)
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func compact(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// statementLog records the SQL of every statement sent, alone or in a
// batch (pgx's tracer hooks), a prepared statement's name replaced by its
// SQL.
type statementLog struct {
	mu       sync.Mutex
	sql      []string
	prepared map[string]string // name → SQL
}

func (l *statementLog) add(sql string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if text, ok := l.prepared[sql]; ok {
		sql = text
	}
	l.sql = append(l.sql, sql)
}

// take returns the statements recorded since the last take.
func (l *statementLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.sql
	l.sql = nil
	return out
}

func (l *statementLog) TracePrepareStart(ctx context.Context, _ *pgx.Conn, data pgx.TracePrepareStartData) context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.prepared == nil {
		l.prepared = map[string]string{}
	}
	l.prepared[data.Name] = data.SQL
	return ctx
}
func (l *statementLog) TracePrepareEnd(context.Context, *pgx.Conn, pgx.TracePrepareEndData) {}
func (l *statementLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	l.add(data.SQL)
	return ctx
}
func (l *statementLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (l *statementLog) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}
func (l *statementLog) TraceBatchQuery(_ context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	l.add(data.SQL)
}
func (l *statementLog) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// eventually waits until cond holds; a loaded machine may take long, so
// the bound only stops a test that would otherwise hang.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
