// Package pgexec runs a request's statements on PostgreSQL: it takes the
// [sqlgen.Statement]s of the root fields, the request's [Session] (role,
// statement timeout, claims) and whether it is a mutation, and gives one
// [Result] per statement — its JSON, or its error mapped to what a client
// may see — or an error that reached none. A query's statements run in
// one pipelined read-only transaction, one network round trip; a
// mutation's serially, each in a savepoint. Statements are prepared once
// per connection and role.
package pgexec

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	goruntime "runtime"
	"strconv"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/runtime/internal/deadline"
	"github.com/gqlplan/gqlplan/runtime/internal/sqlgen"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
)

// Executor runs the statements of requests on the pool.
type Executor struct {
	pool             *pgxpool.Pool
	settingsID       string           // the settings statement's prepared name
	fixed            []fixedStatement // prepared on every connection: the settings statement, BEGIN, COMMIT
	log              *slog.Logger
	dev              bool
	maxResponseBytes int64
	poolTimeout      time.Duration
	roles            *roleSettings             // shared with the executors of its replicas (see OnReplica)
	claims           *lru.Cache[string, []any] // claim settings by the claims' JSON (see claimCacheSize)
	timeout          string                    // Options.StatementTimeout in milliseconds, "" for none
	shared           sharedQueue               // subscription reads waiting for a shared pipeline (see RunShared)
	pipelined        *sharedQueue              // with Options.Pipelining, queries waiting for one
	retries          atomic.Int64              // requests run again on a fresh connection
	unnamed          bool                      // Options.Unnamed
	noCancel         bool                      // Options.NoCancelRequests
	listen           *pgx.ConnConfig           // Options.Listen
	writes           bool                      // Options.Writes
	// onReplica: the pool is a replica's, and a request whose connection
	// fails is not run again here but reported, for the caller to run it
	// on the primary (see OnReplica).
	onReplica bool
}

// OnReplica is an executor of x's requests on pool, a streaming replica
// of x's database. It shares x's roles' settings and claims, read from
// the primary, whose catalog a replica's is; it runs queries only. A
// request whose replica connection fails is not run again there: the
// error says so (CodeUnavailable) at once, for the caller to go to the
// primary, where a lone executor would ride out a restart.
func (x *Executor) OnReplica(pool *pgxpool.Pool) *Executor {
	r := &Executor{
		roles: x.roles, claims: x.claims, pool: pool, settingsID: x.settingsID, fixed: x.fixed, log: x.log, dev: x.dev,
		maxResponseBytes: x.maxResponseBytes, poolTimeout: x.poolTimeout, timeout: x.timeout, unnamed: x.unnamed, noCancel: x.noCancel, onReplica: true,
		shared: sharedQueue{depth: x.shared.depth, maxInFlight: x.shared.maxInFlight},
	}
	if x.pipelined != nil {
		r.pipelined = &sharedQueue{depth: x.pipelined.depth, maxInFlight: min(x.pipelined.maxInFlight, int(pool.Config().MaxConns)), wait: x.pipelined.wait}
	}
	return r
}

// attempts is how often a request may run on connections that die under
// it: once on a replica (see OnReplica).
func (x *Executor) attempts() int {
	if x.onReplica {
		return 1
	}
	return maxAttempts
}

// Retries is how many times a request (or a shared pipeline's requests)
// ran again on a fresh connection after theirs died under them.
func (x *Executor) Retries() int64 { return x.retries.Load() }

// fixedStatement is a statement whose text every request sends: it is
// prepared on each connection once (see prepareFixed) and queued by name,
// so PostgreSQL does not parse it per request. None touches a table, so the authenticator role can
// prepare them outside a transaction.
type fixedStatement struct{ name, sql string }

// text is what a pipeline queues for s: its name, or its SQL when
// nothing is prepared by name (Options.Unnamed).
func (x *Executor) text(s fixedStatement) string {
	if x.unnamed {
		return s.sql
	}
	return s.name
}

var (
	beginReadOnly = fixedStatement{"gqlplan_begin_read_only", "BEGIN READ ONLY"}
	beginWrite    = fixedStatement{"gqlplan_begin", "BEGIN"}
	commit        = fixedStatement{"gqlplan_commit", "COMMIT"}
)

// Options are how an [Executor] reports and bounds its work.
type Options struct {
	Log *slog.Logger // database errors are logged here
	Dev bool         // database error details go to clients too
	// MaxResponseBytes bounds the results of one request (they are read
	// into its arena); the pool should refuse larger protocol messages.
	MaxResponseBytes int64
	// PoolTimeout bounds the wait for a free connection.
	PoolTimeout time.Duration
	// StatementTimeout is every request's default statement_timeout (0:
	// the server's); a role's own setting overrides it.
	StatementTimeout time.Duration
	// Pipelining sends the queries that arrive together as one pipeline
	// on one connection (see shared.go): at most PipelineDepth of them
	// (0: DefaultPipelineDepth) in one, on at most PipelineConnections
	// connections at once (0: one per core, at most the pool's). Fewer
	// pipelines in flight make each carry more: a request that finds one
	// free goes alone. Mutations and requests with Go resolvers keep a
	// connection to themselves.
	Pipelining          bool
	PipelineDepth       int
	PipelineConnections int
	// Unnamed prepares nothing by name: every statement is the unnamed
	// statement of its request's own pipeline, parsed after its role
	// switch, its parameters' types inferred by PostgreSQL from the SQL
	// (which casts them). A connection then holds no state between
	// transactions, as a pooler in transaction mode (PgBouncer before
	// 1.21) needs; PostgreSQL parses and plans each statement each time.
	Unnamed bool
	// NoCancelRequests: a pipelined request that ends sends no cancel
	// request; its statement runs to its end or its timeout (the pool's
	// connections then close when a lone request ends, see
	// runtime.WithoutCancelRequests).
	NoCancelRequests bool
	// Listen is how Listen connects (nil: as the pool does): behind a
	// pooler in transaction mode, LISTEN needs a connection of its own
	// to the server.
	Listen *pgx.ConnConfig
	// Writes: a mutation run with WithWrites reports the tables it
	// wrote (see writes.go); without, WithWrites is ignored.
	Writes bool
}

// DefaultPipelineDepth is the most queries of one pipeline, unless
// Options say otherwise.
const DefaultPipelineDepth = 16

// New makes the executor of a pool, reading once what its settings
// statement needs (see settingsStatement).
func New(ctx context.Context, pool *pgxpool.Pool, opts Options) (*Executor, error) {
	forbidden, err := readForbidden(ctx, pool)
	if err != nil {
		return nil, err
	}
	claims, err := lru.New[string, []any](claimCacheSize)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(settingsSQL))
	settings := fixedStatement{"gqlplan_settings_" + hex.EncodeToString(sum[:6]), settingsSQL}
	x := &Executor{
		roles:            &roleSettings{byRole: map[string][]any{}, forbidden: forbidden},
		claims:           claims,
		pool:             pool,
		settingsID:       settings.name,
		fixed:            []fixedStatement{settings, beginReadOnly, beginWrite, commit},
		log:              opts.Log,
		dev:              opts.Dev,
		maxResponseBytes: opts.MaxResponseBytes,
		poolTimeout:      opts.PoolTimeout,
		unnamed:          opts.Unnamed,
		noCancel:         opts.NoCancelRequests,
		listen:           opts.Listen,
		shared:           sharedQueue{depth: sharedDepth, maxInFlight: sharedInFlight},
	}
	if opts.Pipelining {
		q := &sharedQueue{depth: cmp.Or(opts.PipelineDepth, DefaultPipelineDepth), maxInFlight: opts.PipelineConnections, wait: opts.PoolTimeout}
		if q.maxInFlight <= 0 {
			q.maxInFlight = min(goruntime.GOMAXPROCS(0), int(pool.Config().MaxConns))
		}
		x.pipelined = q
	}
	if opts.Writes {
		x.writes = true
		x.fixed = append(x.fixed, immediate, writtenTables)
	}
	if opts.StatementTimeout > 0 {
		x.timeout = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
	}
	if err := x.Reload(ctx); err != nil {
		return nil, err
	}
	return x, nil
}

// Result is what one statement gave: its JSON (nil for SQL NULL), or
// its error.
type Result struct {
	JSON json.RawMessage
	Err  *wire.Error
}

// maxAttempts bounds how often a request runs on connections that die
// under it: backends terminated one after the other (a failover, an
// administrator's pg_terminate_backend loop) can take a fresh one between
// its ping and its statements.
const maxAttempts = 3

// Run executes stmts on one pooled connection, in one read-only
// transaction, or for a mutation serially in one read-write transaction,
// reading their results into arena. The error is one that reached no
// statement (the database is unavailable, the request's time is up, the
// role may not be used); a statement's own failure is its result's. No
// statements take no connection.
//
// A query whose connection is lost (a restarted server, a terminated
// backend) runs again on a connection proven alive, up to maxAttempts in
// all: it changes nothing and none of it has reached the client. A
// mutation does only when the server had closed the connection before it
// began (see errNotStarted); otherwise it may have been applied.
func (x *Executor) Run(ctx context.Context, mutation bool, sess Session, stmts []sqlgen.Statement, arena *[]byte) ([]Result, *wire.Error) {
	if len(stmts) == 0 {
		return nil, nil
	}
	if !mutation && x.pipelined != nil {
		return x.runQueued(ctx, x.pipelined, sess, stmts, arena)
	}
	jobs, pending := make([]job, len(stmts)), make([]*job, len(stmts))
	for i := range stmts {
		jobs[i].stmt = &stmts[i]
		pending[i] = &jobs[i]
	}
	out := &resultBuffer{arena: arena, limit: x.maxResponseBytes}
	mark := len(*arena)
	lost, fatal := x.run(ctx, mutation, sess, pending, out, false)
	for attempt := 2; lost && attempt <= x.attempts() && (!mutation || errors.Is(fatal, errNotStarted)); attempt++ {
		*arena, out.total = (*arena)[:mark], 0
		for _, j := range pending {
			j.result, j.err = nil, nil
		}
		x.retries.Add(1)
		lost, fatal = x.run(ctx, mutation, sess, pending, out, true)
	}
	if fatal != nil {
		return nil, fatal
	}
	results := make([]Result, len(pending))
	for i, j := range pending {
		results[i] = Result{JSON: j.result, Err: j.err}
	}
	return results, nil
}

// run runs pending on one connection (proven alive first when fresh);
// lost reports that the connection died under it.
func (x *Executor) run(ctx context.Context, mutation bool, sess Session, pending []*job, out *resultBuffer, fresh bool) (lost bool, fatal *wire.Error) {
	conn, fatal := x.acquire(ctx, fresh)
	if fatal != nil {
		return false, fatal
	}
	defer conn.Release() // the pool discards a closed connection
	defer func() {
		lost = fatal != nil && fatal.Code == wire.CodeUnavailable && conn.Conn().IsClosed() && ctx.Err() == nil
	}()
	set := preparedOn(conn)
	if err := x.prepareFixed(ctx, conn, set); err != nil {
		e := x.fault(ctx, err)
		e.Err = errNotStarted // nothing of the request was sent yet
		return false, e
	}
	x.prepareFields(ctx, conn, set, sess, pending)
	if mutation {
		return false, x.mutate(ctx, conn, set, sess, pending, out)
	}
	return false, x.query(ctx, conn, set, sess, pending, out)
}

// acquire takes a connection of the pool, waiting at most the pool
// timeout for one to be free. When fresh, the connection must answer a
// ping first, and while the database cannot be reached it is tried again
// until the pool timeout: a retried query rides out a fast restart.
func (x *Executor) acquire(ctx context.Context, fresh bool) (*pgxpool.Conn, *wire.Error) {
	wait, cancel := deadline.WithTimeoutCause(ctx, x.poolTimeout, errPoolTimeout)
	defer cancel()
	for pause := 50 * time.Millisecond; ; pause = min(2*pause, 500*time.Millisecond) {
		conn, err := x.pool.Acquire(wait)
		if err == nil {
			if !fresh {
				return conn, nil
			}
			if err = conn.Ping(wait); err == nil {
				return conn, nil
			}
			conn.Conn().Close(ctx)
			conn.Release()
		}
		switch {
		case ctx.Err() != nil:
			return nil, interrupted(ctx)
		case wait.Err() != nil:
			if fresh {
				return nil, x.fault(ctx, err) // what kept the database away
			}
			return nil, interrupted(wait)
		case !fresh:
			return nil, x.fault(ctx, err)
		}
		select {
		case <-time.After(pause):
		case <-wait.Done():
		}
	}
}

// query runs the statements of a query in one read-only transaction: the
// settings (transaction_read_only among them) and the statements are sent
// as one pipeline with one Sync, the implicit transaction PostgreSQL runs
// them in, so the request costs one network round trip and no BEGIN or
// COMMIT. When a statement fails, the fields before it keep their
// results, it gets its error, and the fields after it run again in a new
// transaction.
func (x *Executor) query(ctx context.Context, conn *pgxpool.Conn, set *preparedSet, sess Session, pending []*job, out *resultBuffer) *wire.Error {
	for len(pending) > 0 {
		batch := newPipeline()
		if err := x.queueSettings(ctx, conn, set, batch, settingsPairs(sess, true)); err != nil {
			return x.fault(ctx, err)
		}
		for _, f := range pending {
			batch.add(f.text(), f.stmt.Args...)
		}
		results := conn.SendBatch(ctx, &batch.Batch)
		failed, fatal := x.readQuery(ctx, results, pending, out)
		closeErr := results.Close()
		if fatal != nil {
			x.rollback(ctx, conn)
			return fatal
		}
		if failed < 0 {
			if closeErr != nil {
				return x.fault(ctx, closeErr)
			}
			return nil
		}
		x.rollback(ctx, conn)
		pending = pending[failed+1:]
	}
	return nil
}

// pipeline is the statements of one pipeline, for conn.SendBatch: room
// for the statements of nearly every request comes with it, in one
// allocation, where pgx's Batch.Queue allocates each queued statement and
// grows the slice of them.
type pipeline struct {
	pgx.Batch
	slots [pipelineSlots]pgx.QueuedQuery
	ptrs  [pipelineSlots]*pgx.QueuedQuery
}

// pipelineSlots is the statements a pipeline has room for: the settings
// and a mutation's field, or a query's settings and three fields; more
// are queued as pgx queues them.
const pipelineSlots = 4

func newPipeline() *pipeline {
	p := &pipeline{}
	p.QueuedQueries = p.ptrs[:0]
	return p
}

// add queues sql with args.
func (p *pipeline) add(sql string, args ...any) {
	n := len(p.QueuedQueries)
	if n >= pipelineSlots {
		p.Queue(sql, args...)
		return
	}
	p.slots[n] = pgx.QueuedQuery{SQL: sql, Arguments: args}
	p.QueuedQueries = append(p.QueuedQueries, &p.slots[n])
}

// readQuery reads a query pipeline's results into pending; it returns the
// index of the failed field (or -1) or an error that fails every field.
func (x *Executor) readQuery(ctx context.Context, results pgx.BatchResults, pending []*job, out *resultBuffer) (int, *wire.Error) {
	if _, err := results.Exec(); err != nil {
		return -1, x.sessionFault(ctx, err)
	}
	for i, f := range pending {
		if err := f.scan(results, out); err != nil {
			if f.err = x.fault(ctx, err); requestLevel(f.err) {
				return -1, f.err
			}
			return i, nil
		}
	}
	return -1, nil
}

// mutate runs the mutation fields serially in one transaction (GraphQL
// executes root mutation fields in order). With several fields each runs
// inside a SAVEPOINT, so a failed one is rolled back alone and the others
// commit. Each field costs one round trip; BEGIN and the settings ride with
// the first, COMMIT with the last. A single field needs neither BEGIN nor
// COMMIT: its settings and statement are one pipeline, whose implicit
// transaction PostgreSQL commits at the Sync, or rolls back when a
// statement fails — all or nothing, as with BEGIN, and two statements
// fewer for both sides to run.
func (x *Executor) mutate(ctx context.Context, conn *pgxpool.Conn, set *preparedSet, sess Session, pending []*job, out *resultBuffer) *wire.Error {
	savepoints := len(pending) > 1
	explicit := savepoints // a transaction of BEGIN and COMMIT, not one Sync's
	writes := writesOf(ctx)
	if !x.writes {
		writes = nil
	} else if writes != nil {
		writes.Known = false // until this attempt reads them
	}
	for i, f := range pending {
		first, last := i == 0, i == len(pending)-1
		batch := newPipeline()
		if first {
			if explicit {
				batch.add(x.text(beginWrite))
			}
			if err := x.queueSettings(ctx, conn, set, batch, settingsPairs(sess, false)); err != nil {
				e := x.fault(ctx, err)
				e.Err = errNotStarted // nothing of the mutation was sent yet
				return e
			}
		}
		if savepoints {
			batch.add("SAVEPOINT gqlplan_field")
		}
		if f.stmt.Call != nil {
			batch.add(f.callText(), f.stmt.Call.Args...)
		}
		batch.add(f.text(), f.stmt.Args...)
		if savepoints {
			batch.add("RELEASE SAVEPOINT gqlplan_field")
		}
		if last && writes != nil {
			batch.add(x.text(immediate))
			batch.add(x.text(writtenTables))
		}
		if last && explicit {
			batch.add(x.text(commit))
		}
		results := conn.SendBatch(ctx, &batch.Batch)
		fatal := func() *wire.Error {
			if first {
				// The first result, BEGIN's or the settings', tells a
				// mutation that never started (notStarted).
				if explicit {
					if _, err := results.Exec(); err != nil {
						return notStarted(x.fault(ctx, err), err)
					}
				}
				if _, err := results.Exec(); err != nil {
					e := x.sessionFault(ctx, err)
					if !explicit {
						e = notStarted(e, err)
					}
					return e
				}
			}
			if savepoints {
				if _, err := results.Exec(); err != nil {
					return x.fault(ctx, err)
				}
			}
			err := error(nil)
			if f.stmt.Call != nil {
				_, err = results.Exec()
			}
			if err == nil {
				err = f.scan(results, out)
			}
			if err != nil {
				if f.err = x.fault(ctx, err); requestLevel(f.err) {
					return f.err
				}
			}
			return nil
		}()
		var closeErr error
		if fatal == nil && f.err == nil {
			if savepoints {
				_, closeErr = results.Exec()
			}
			if last && writes != nil && closeErr == nil {
				closeErr = readWrites(results, writes)
			}
			if last && explicit && closeErr == nil {
				_, closeErr = results.Exec()
			}
		}
		if err := results.Close(); closeErr == nil {
			closeErr = err
		}
		if fatal == nil && closeErr != nil {
			if e := x.fault(ctx, closeErr); requestLevel(e) {
				fatal = e
			}
		}
		switch {
		case fatal != nil:
			x.rollback(ctx, conn)
			return mutationFailure(fatal, last)
		case f.err != nil && savepoints:
			if _, err := conn.Exec(ctx, "ROLLBACK TO SAVEPOINT gqlplan_field"); err != nil {
				x.rollback(ctx, conn)
				return mutationFailure(x.fault(ctx, err), false)
			}
			if last {
				if _, err := conn.Exec(ctx, "COMMIT"); err != nil {
					return mutationFailure(x.fault(ctx, err), true)
				}
			}
		case f.err != nil:
			x.rollback(ctx, conn)
		case closeErr != nil:
			x.rollback(ctx, conn)
			return mutationFailure(x.fault(ctx, closeErr), last)
		}
	}
	return nil
}

// errNotStarted marks the failure of a mutation of which nothing ran: its
// connection failed before the mutation was sent (pgx knows it sent
// nothing), or the server had terminated it before reading it — the first
// result, BEGIN's, is the termination, and PostgreSQL answers in order.
// Such a mutation may run again.
var errNotStarted = errors.New("the connection was terminated before the mutation began")

// notStarted marks e, the failure of a mutation's first statement, as
// errNotStarted when err says the statement never reached the server or
// was refused before it ran.
func notStarted(e *wire.Error, err error) *wire.Error {
	if terminated(err) || pgconn.SafeToRetry(err) {
		e.Err = errNotStarted
	}
	return e
}

// terminated reports whether err is the server ending the connection
// (pg_terminate_backend, a fast shutdown, a crash of another backend).
func terminated(err error) bool {
	switch sqlState(err) {
	case "57P01", "57P02", "57P03":
		return true
	}
	return false
}

// mutationFailure says what became of a mutation that failed as a whole:
// when the failure came with COMMIT on its way, the database may have
// applied it, and a client must not be told it did not.
func mutationFailure(e *wire.Error, committing bool) *wire.Error {
	if errors.Is(e, errNotStarted) {
		e.Message += " The mutation was not applied."
		return e
	}
	if committing && requestLevel(e) {
		e.Message += " The mutation may have been applied: read before retrying it."
	} else if requestLevel(e) {
		e.Message += " The mutation was not applied."
	}
	return e
}

// rollbackTimeout bounds the ROLLBACK of a failed or canceled request.
const rollbackTimeout = time.Second

// rollback ends a failed transaction so the connection goes back to the
// pool clean; if even that fails, the pool discards the connection
// (pgxpool never reuses one that is not idle).
func (x *Executor) rollback(ctx context.Context, conn *pgxpool.Conn) {
	if conn.Conn().IsClosed() || conn.Conn().PgConn().TxStatus() == 'I' {
		return
	}
	stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
	defer cancel()
	if _, err := conn.Exec(stop, "ROLLBACK"); err != nil {
		conn.Conn().Close(stop)
	}
}

// sessionFault is a failure of set_config: the role the token names does
// not exist or the server's role may not switch to it.
func (x *Executor) sessionFault(ctx context.Context, err error) *wire.Error {
	e := x.fault(ctx, err)
	if code := sqlState(err); code == "22023" || code == "42501" || code == "42704" {
		return &wire.Error{Message: "The role of this request is not available: the token's role does not exist or may not be used.", Code: wire.CodeForbidden}
	}
	return e
}

// job is one statement being run: its prepared name on the connection
// running it (or ""), and what it gave.
type job struct {
	stmt     *sqlgen.Statement
	prepared string
	// callPrepared is the prepared name of stmt.Call, a mutation's call.
	callPrepared string
	result       json.RawMessage
	err          *wire.Error
}

// text is what a pipeline queues: the prepared name, or else the SQL.
func (j *job) text() string {
	if j.prepared != "" {
		return j.prepared
	}
	return j.stmt.SQL
}

// callText is text for stmt.Call.
func (j *job) callText() string {
	if j.callPrepared != "" {
		return j.callPrepared
	}
	return j.stmt.Call.SQL
}

// statements are the job's statements and where each one's prepared name
// goes.
func (j *job) statements() []namedStatement {
	out := []namedStatement{{j.stmt.SQL, &j.prepared}}
	if j.stmt.Call != nil {
		out = append(out, namedStatement{j.stmt.Call.SQL, &j.callPrepared})
	}
	return out
}

type namedStatement struct {
	sql  string
	name *string
}

// scan reads the statement's one-row, one-column result into out as
// bytes: PostgreSQL built valid JSON, and pgx would decode a
// json.RawMessage target through encoding/json, which validates the whole
// value again (a cost that grows with the response).
func (j *job) scan(results pgx.BatchResults, out *resultBuffer) error {
	return results.QueryRow().Scan(resultScanner{out, &j.result})
}

// resultBuffer is where a request's results are read: small ones into
// its arena, one after the other; a large one into an allocation of its
// own and exactly its size, which an arena growing by doubling would copy
// again and again. total counts both against the response limit.
type resultBuffer struct {
	arena *[]byte
	total int64
	limit int64 // 0: none
}

// ownAllocation is the size from which a result gets its own allocation.
const ownAllocation = 64 << 10

// resultScanner reads a result into a resultBuffer (pgx hands ScanBytes
// bytes that are valid only during the call). A result keeps its slice of
// the arena even when a later result makes the arena grow elsewhere.
type resultScanner struct {
	out *resultBuffer
	dst *json.RawMessage
}

func (s resultScanner) ScanBytes(v []byte) error {
	if v == nil {
		*s.dst = nil // SQL NULL
		return nil
	}
	out := s.out
	if out.limit > 0 && out.total+int64(len(v)) > out.limit {
		return errResponseTooLarge
	}
	out.total += int64(len(v))
	if len(v) >= ownAllocation {
		*s.dst = bytes.Clone(v)
		return nil
	}
	arena := out.arena
	start := len(*arena)
	*arena = append(*arena, v...)
	*s.dst = (*arena)[start:len(*arena):len(*arena)]
	return nil
}
