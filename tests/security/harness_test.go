package security

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/compiler"
	"github.com/gqlplan/gqlplan/compiler/catalog"
	"github.com/gqlplan/gqlplan/internal/authtest"
	"github.com/gqlplan/gqlplan/internal/logbuf"
	"github.com/gqlplan/gqlplan/internal/pgtest"
	"github.com/gqlplan/gqlplan/runtime"
	"github.com/gqlplan/gqlplan/spec"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const (
	secret   = "security-suite-secret-0123456789abcdef"
	issuer   = "https://issuer.test"
	audience = "gqlplan-api"
	leeway   = 30 * time.Second
)

type roles struct{ auth, anon, member, stranger string }

// target is the handler under attack and what the attacks check against.
type target struct {
	handler    http.Handler
	admin      *pgx.Conn
	roles      roles
	dsn        string
	now        time.Time
	jwksKey    *authtest.Key       // published by keys
	keys       *authtest.KeyServer // the configured JWKS URL
	attacker   *authtest.KeyServer // what jku/x5u point at
	statements atomic.Int64        // statements the pool sent
	logs       *logbuf.Buffer
}

func newTarget(t *testing.T) *target {
	ctx := context.Background()
	dsn := pgtest.Database(t)
	n := fmt.Sprint(os.Getpid())
	tg := &target{dsn: dsn, now: time.Now().Truncate(time.Second), logs: &logbuf.Buffer{},
		roles: roles{auth: "sec_auth_" + n, anon: "sec_anon_" + n, member: "sec_member_" + n, stranger: "sec_stranger_" + n}}
	schema, err := os.ReadFile("testdata/schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	r := tg.roles
	sql := strings.NewReplacer("{{auth}}", r.auth, "{{anon}}", r.anon, "{{member}}", r.member, "{{stranger}}", r.stranger).Replace(string(schema))
	if tg.admin, err = pgx.Connect(ctx, dsn); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.admin.Exec(ctx, sql); err != nil {
		t.Fatalf("schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = tg.admin.Exec(ctx, fmt.Sprintf("DROP OWNED BY %[1]s, %[2]s, %[3]s, %[4]s CASCADE; DROP ROLE %[1]s, %[2]s, %[3]s, %[4]s", r.auth, r.anon, r.member, r.stranger))
		tg.admin.Close(ctx)
	})

	files, diags, err := compiler.LoadPaths("", []string{"testdata/api.yaml"})
	if err != nil || diags.HasErrors() {
		t.Fatalf("load: %v %v", err, diags)
	}
	cat, err := catalog.Load(ctx, tg.admin, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	plan, diags := compiler.CompileWith(files, compiler.Options{Catalog: cat})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	data, _ := spec.Encode(plan)
	if plan, err = spec.Decode(data); err != nil {
		t.Fatal(err)
	}

	authDSN, err := pgtest.WithUser(dsn, r.auth)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := runtime.PoolConfig(authDSN, 0, runtime.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = counter{&tg.statements}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)

	tg.jwksKey = authtest.NewRSA(t, "rsa-1")
	tg.keys = authtest.NewKeyServer(t, tg.jwksKey)
	tg.attacker = authtest.NewKeyServer(t)
	vctx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	verifier, err := auth.NewVerifier(vctx, auth.Config{
		Secret: []byte(secret),
		JWKS:   &auth.JWKS{URL: tg.keys.URL(), Refresh: time.Hour, UnknownKIDInterval: time.Hour},
		Issuer: issuer, Audience: audience, Leeway: leeway,
		DefaultRole:  r.anon,
		AllowedRoles: []string{r.anon, r.member, r.stranger, "sec_ghost_role"},
		Now:          func() time.Time { return tg.now },
	})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(tg.logs, nil))
	tg.handler, err = runtime.NewHandler(ctx, runtime.Config{
		Plan: plan, Pool: pool, Verifier: verifier, Logger: log,
		Limits:          runtime.Limits{StatementTimeout: 500 * time.Millisecond},
		NoIntrospection: true,
		CORSOrigins:     []string{"https://app.example"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// counter counts every statement and pipeline the pool sends.
type counter struct{ n *atomic.Int64 }

func (c counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (c counter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (counter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (counter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// claims are a valid claim set for the suite's verifier; edits apply on
// top, and a nil value removes the claim.
func (tg *target) claims(edits jwt.MapClaims) jwt.MapClaims {
	c := jwt.MapClaims{"iss": issuer, "aud": audience, "exp": tg.now.Add(time.Hour).Unix(), "sub": "ada", "role": tg.roles.member}
	for k, v := range edits {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// token signs the claims (see claims) with the suite's secret.
func (tg *target) token(t *testing.T, edits jwt.MapClaims) string {
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, tg.claims(edits)).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// snapshot is a digest of every row the suite's schema holds.
func (tg *target) snapshot(t *testing.T) string {
	var s string
	err := tg.admin.QueryRow(context.Background(), `SELECT md5(string_agg(r, ',' ORDER BY r)) FROM (
		SELECT n::text AS r FROM sec.note n UNION ALL SELECT p::text FROM sec.person p) x`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// attack is one hostile request and what the server must answer.
type attack struct {
	name    string
	method  string // default POST
	query   string
	vars    map[string]any
	body    string // a raw body instead of query and vars
	ctype   string // default application/json
	header  map[string]string
	token   string
	status  int
	code    string // the code of every error ("" for none)
	sqlRuns bool   // the request may reach the database (which must stay unchanged)
	// inserts is a mutation's one expected row, as sec.note's columns
	// (body, meta) read back; the database must change by exactly that.
	inserts string
	// check asserts more about the body (compacted JSON).
	check func(t *testing.T, body string)
	// absentHeader is a response header that must not be set.
	absentHeader string
}

func (tg *target) send(a attack) *httptest.ResponseRecorder {
	method := a.method
	if method == "" {
		method = http.MethodPost
	}
	var req *http.Request
	if method == http.MethodGet {
		req = httptest.NewRequest(method, "/graphql?query="+urlQuery(a.query), nil)
	} else {
		body := a.body
		if body == "" {
			payload := map[string]any{"query": a.query}
			if a.vars != nil {
				payload["variables"] = a.vars
			}
			b, _ := json.Marshal(payload)
			body = string(b)
		}
		req = httptest.NewRequest(method, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if a.ctype != "" {
			req.Header.Set("Content-Type", a.ctype)
		}
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	for k, v := range a.header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	tg.handler.ServeHTTP(rec, req)
	return rec
}

// run sends the attack and checks the answer, the database and the body.
func (tg *target) run(t *testing.T, a attack) {
	t.Helper()
	before, statements := tg.snapshot(t), tg.statements.Load()
	rec := tg.send(a)
	body := rec.Body.String()
	if rec.Code != a.status {
		t.Errorf("status %d, want %d: %.500s", rec.Code, a.status, body)
	}
	var out struct {
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if rec.Code != http.StatusNoContent {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("the body is not JSON: %q", body)
		}
	}
	if a.code == "" && len(out.Errors) > 0 {
		t.Errorf("errors, want none: %.500s", body)
	}
	if a.code != "" && len(out.Errors) == 0 {
		t.Errorf("no error, want %s: %.500s", a.code, body)
	}
	for _, e := range out.Errors {
		if e.Extensions["code"] != a.code {
			t.Errorf("error code %v, want %s: %.500s", e.Extensions["code"], a.code, body)
		}
	}
	if ran := tg.statements.Load() - statements; ran > 0 && !a.sqlRuns {
		t.Errorf("%d statements ran, want none", ran)
	}
	if a.inserts != "" {
		var row string
		err := tg.admin.QueryRow(context.Background(), `DELETE FROM sec.note WHERE id = (SELECT max(id) FROM sec.note) AND id > 2
			RETURNING json_build_array(body, meta)::text`).Scan(&row)
		if err != nil || row != a.inserts {
			t.Errorf("the inserted row is %s (%v), want %s", row, err, a.inserts)
		}
	}
	if after := tg.snapshot(t); after != before {
		t.Error("the database changed")
	}
	tg.noLeak(t, body, a.token)
	if a.absentHeader != "" && rec.Header().Get(a.absentHeader) != "" {
		t.Errorf("header %s: %q", a.absentHeader, rec.Header().Get(a.absentHeader))
	}
	if a.check != nil {
		var compact bytes.Buffer // PostgreSQL's JSON has spaces after ":"
		if json.Compact(&compact, rec.Body.Bytes()) == nil {
			body = compact.String()
		}
		a.check(t, body)
	}
}

// noLeak fails when the body carries SQL, connection details, internals,
// the token, or another user's data.
func (tg *target) noLeak(t *testing.T, body, token string) {
	t.Helper()
	forbidden := []string{"SELECT", "set_config", "sec.", "pg_", "auth-password-must-not-leak", tg.dsn, tg.roles.auth,
		"goroutine", ".go:", "panic", "TOP-SECRET"}
	if len(token) >= 20 {
		forbidden = append(forbidden, token, token[:20])
	}
	for _, s := range forbidden {
		if strings.Contains(body, s) {
			t.Errorf("the response leaks %.60q: %.500s", s, body)
		}
	}
}

func urlQuery(s string) string {
	return strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", "#", "%23", " ", "%20", "\n", "%0A").Replace(s)
}
