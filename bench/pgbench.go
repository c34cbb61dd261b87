package main

import (
	"bufio"
	"context"
	"fmt"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/runtime"
	"github.com/gqlplan/gqlplan/spec"
)

// statementRecorder is a pgx tracer that keeps the statements of the
// pipelines the runtime sends, with their arguments.
type statementRecorder struct {
	mu       sync.Mutex
	batch    []recorded
	prepared map[string]string // statement name → SQL
}

type recorded struct {
	sql  string
	args []any
}

func (r *statementRecorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}
func (r *statementRecorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (r *statementRecorder) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	r.mu.Lock()
	r.batch = nil
	r.mu.Unlock()
	return ctx
}
func (r *statementRecorder) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	r.mu.Lock()
	sql := d.SQL
	if text, ok := r.prepared[sql]; ok {
		sql = text // queued by the name of a prepared statement
	}
	r.batch = append(r.batch, recorded{sql, d.Args})
	r.mu.Unlock()
}
func (r *statementRecorder) TracePrepareStart(ctx context.Context, _ *pgx.Conn, d pgx.TracePrepareStartData) context.Context {
	r.mu.Lock()
	r.prepared[d.Name] = d.SQL
	r.mu.Unlock()
	return ctx
}
func (r *statementRecorder) TracePrepareEnd(context.Context, *pgx.Conn, pgx.TracePrepareEndData) {}
func (r *statementRecorder) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// recordStatements runs each workload once through the runtime, in
// process, on the same plan and database as the server, and returns the
// pipeline it sent as a pgbench script: the exact statements, each bound
// value a pgbench variable (pgbench -M prepared sends them as parameters,
// as gqlplan does), NULL written as a literal (pgbench has no NULL
// variable).
func recordStatements(ctx context.Context, plan *spec.Plan, dsn string, secret []byte, requests []request) ([]pgbenchScript, error) {
	rec := &statementRecorder{prepared: map[string]string{}}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig.DefaultQueryExecMode = runtime.QueryExecMode
	cfg.ConnConfig.Tracer = rec
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	verifier, err := auth.NewVerifier(ctx, auth.Config{Secret: secret, DefaultRole: anonymousRole})
	if err != nil {
		return nil, err
	}
	signer, err := auth.NewSigner(auth.SignerConfig{Secret: secret})
	if err != nil {
		return nil, err
	}
	h, err := runtime.NewHandler(ctx, runtime.Config{Plan: plan, Pool: pool, Verifier: verifier, Signer: signer})
	if err != nil {
		return nil, err
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	var scripts []pgbenchScript
	for _, r := range requests {
		r.url = srv.URL
		if body, err := r.send(ctx, srv.Client()); err != nil {
			return nil, fmt.Errorf("recording %s: %v (%s)", r.body, err, body)
		}
		rec.mu.Lock()
		batch := rec.batch
		rec.mu.Unlock()
		script := pgbenchScript{vars: map[string]string{}}
		var text strings.Builder
		text.WriteString("\\startpipeline\n")
		for i, q := range batch {
			sql, err := bindVariables(q.sql, q.args, fmt.Sprintf("s%d_", i+1), script.vars)
			if err != nil {
				return nil, err
			}
			st := textStatement{SQL: q.sql}
			for _, a := range q.args {
				var text *string
				if a != nil {
					t, _ := textForm(a) // bindVariables took every one
					text = &t
				}
				st.Args = append(st.Args, text)
			}
			script.statements = append(script.statements, st)
			text.WriteString(strings.TrimSpace(sql) + ";\n")
		}
		text.WriteString("\\endpipeline\n")
		script.text = text.String()
		if script.alone, err = dataStatementsAlone(batch); err != nil {
			return nil, err
		}
		scripts = append(scripts, script)
	}
	return scripts, nil
}

// pgbenchScript is a recorded pipeline: its text, and the values of the
// variables it refers to; and its statements as gqlplan sent them, for
// the floor.
type pgbenchScript struct {
	text       string
	vars       map[string]string
	statements []textStatement
	// options are the session's settings (PGOPTIONS), for a script
	// that does not set them itself.
	options string
	// alone is the pipeline's data statements alone (issue 24's
	// baseline): without the settings statement, which become the
	// session's options, and without transaction control.
	alone *pgbenchScript
}

// dataStatementsAlone is batch's data statements as a pgbench script of
// their own, run as the request's role with its settings: those of the
// settings statement, made the session's (its transaction_read_only
// the session's default).
func dataStatementsAlone(batch []recorded) (*pgbenchScript, error) {
	script := &pgbenchScript{vars: map[string]string{}}
	var text strings.Builder
	var options []string
	for i, q := range batch {
		if pairs, ok := recordedSettings(q); ok {
			for _, kv := range pairs {
				if kv[0] == "transaction_read_only" {
					kv[0] = "default_transaction_read_only"
				}
				options = append(options, "-c "+kv[0]+"="+optionValue.Replace(kv[1]))
			}
			continue
		}
		if transactionControl.MatchString(q.sql) {
			continue
		}
		sql, err := bindVariables(q.sql, q.args, fmt.Sprintf("s%d_", i+1), script.vars)
		if err != nil {
			return nil, err
		}
		text.WriteString(strings.TrimSpace(sql) + ";\n")
	}
	script.text, script.options = text.String(), strings.Join(options, " ")
	return script, nil
}

var settingsStatement = regexp.MustCompile(`set_config\(\$\d+|unnest\(\$1`)

var transactionControl = regexp.MustCompile(`(?i)^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b`)

// optionValue escapes a value of PGOPTIONS' -c name=value, whose
// settings are separated by spaces.
var optionValue = strings.NewReplacer(`\`, `\\`, " ", `\ `)

// recordedSettings reads the runtime's settings statement (pgexec's): its
// set_config calls take their names and values as pairs of parameters,
// or as two arrays unnested. A mutation's call, which keeps its rows in a
// setting of a fixed name, is a data statement.
func recordedSettings(q recorded) ([][2]string, bool) {
	if !settingsStatement.MatchString(q.sql) {
		return nil, false
	}
	var pairs [][2]string
	if len(q.args) == 2 {
		if names, ok := q.args[0].([]string); ok {
			values, _ := q.args[1].([]string)
			for i, name := range names {
				if i < len(values) {
					pairs = append(pairs, [2]string{name, values[i]})
				}
			}
			return pairs, true
		}
	}
	for i := 0; i+1 < len(q.args); i += 2 {
		name, _ := textForm(q.args[i])
		value, _ := textForm(q.args[i+1])
		pairs = append(pairs, [2]string{name, value})
	}
	return pairs, true
}

var placeholder = regexp.MustCompile(`\$(\d+)`)

// bindVariables replaces $n by the variable :<prefix>n, whose value is the
// n-th argument in PostgreSQL's text form, added to vars.
func bindVariables(sql string, args []any, prefix string, vars map[string]string) (string, error) {
	var bad error
	out := placeholder.ReplaceAllStringFunc(sql, func(p string) string {
		n, _ := strconv.Atoi(p[1:])
		if n < 1 || n > len(args) {
			bad = fmt.Errorf("statement refers to %s of %d arguments", p, len(args))
			return p
		}
		if args[n-1] == nil {
			return "NULL"
		}
		text, err := textForm(args[n-1])
		if err != nil {
			bad = err
		}
		name := prefix + p[1:]
		vars[name] = text
		return ":" + name
	})
	return out, bad
}

// textForm is v as PostgreSQL reads it in a text parameter.
func textForm(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	case []string:
		elems := make([]string, len(v))
		for i, e := range v {
			elems[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(e) + `"`
		}
		return "{" + strings.Join(elems, ",") + "}", nil
	case int, int32, int64, float64, bool:
		return fmt.Sprint(v), nil
	}
	return "", fmt.Errorf("no text form for a %T argument", v)
}

// runPgbench runs a script at the given concurrency: a short unmeasured
// run, then the measured one with per-transaction logs for percentiles.
// runPgbench replays script; rate, when positive, holds pgbench to that
// many transactions per second in all (-R), so PostgreSQL's CPU per
// transaction compares with gqlplan's at the rate gqlplan served: a
// backend that sleeps between transactions pays a wakeup each, which a
// saturated one does not (the same pipeline cost it 32–37 µs at 40k tx/s
// and 74–78 µs at 7k on this machine).
func runPgbench(ctx context.Context, pgbench, dsn string, script pgbenchScript, concurrency int, warmup, duration time.Duration, rate float64) (result, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return result{}, err
	}
	dir, err := os.MkdirTemp("", "gqlplan-pgbench-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "workload.sql")
	if err := os.WriteFile(file, []byte(script.text), 0o644); err != nil {
		return result{}, err
	}
	out, res, err := runLoad(ctx, dir, pgbench, func(d time.Duration, measured bool) []string {
		args := []string{"-n", "-M", "prepared", "-c", strconv.Itoa(concurrency), "-j", strconv.Itoa(min(concurrency, 2)),
			"-T", strconv.Itoa(max(1, int(d.Seconds()))), "-f", file,
			"-h", cfg.Host, "-p", strconv.Itoa(int(cfg.Port)), "-U", cfg.User}
		if rate > 0 {
			args = append(args, "-R", strconv.Itoa(max(1, int(rate))))
		}
		if measured { // per-transaction logs, for the percentiles
			args = append(args, "-l", "--log-prefix", filepath.Join(dir, "tx"))
		}
		for _, name := range slices.Sorted(maps.Keys(script.vars)) {
			args = append(args, "-D", name+"="+script.vars[name])
		}
		if script.options != "" { // a connection string: pgbench expands it
			return append(args, "dbname="+conninfoValue(cfg.Database)+" options="+conninfoValue(script.options))
		}
		return append(args, cfg.Database)
	}, warmup, duration)
	if err != nil {
		return result{}, err
	}
	if m := regexp.MustCompile(`tps = ([\d.]+) \(without initial connection time\)`).FindStringSubmatch(out); m != nil {
		res.RPS, _ = strconv.ParseFloat(m[1], 64)
	} else {
		return res, fmt.Errorf("pgbench printed no tps:\n%s", out)
	}
	if m := regexp.MustCompile(`number of failed transactions: (\d+)`).FindStringSubmatch(out); m != nil {
		res.Errors, _ = strconv.Atoi(m[1])
	}
	logs, _ := filepath.Glob(filepath.Join(dir, "tx.*"))
	var latencies []time.Duration
	for _, f := range logs {
		fh, err := os.Open(f)
		if err != nil {
			return res, err
		}
		scan := bufio.NewScanner(fh)
		for scan.Scan() {
			fields := strings.Fields(scan.Text())
			if len(fields) >= 3 {
				us, _ := strconv.ParseInt(fields[2], 10, 64)
				latencies = append(latencies, time.Duration(us)*time.Microsecond)
			}
		}
		fh.Close()
	}
	res.Requests = len(latencies)
	res.P50, res.P99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
	return res, nil
}

// conninfoValue quotes v for a libpq connection string.
func conninfoValue(v string) string {
	return "'" + conninfoEscape.Replace(v) + "'"
}

var conninfoEscape = strings.NewReplacer(`\`, `\\`, "'", `\'`)

// percentile sorts d and returns its q-quantile (nearest rank).
func percentile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, int(q*float64(len(d))))]
}
