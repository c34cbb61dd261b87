package pgexec

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/runtime/internal/sqlgen"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
)

// Shared pipelines: reads that come together — a committed change wakes
// every subscription group that reads its table at once — go to
// PostgreSQL as one pipeline on one connection, one write and one read
// for all, where each would otherwise take a connection and a round trip
// of its own. Each request stays its own implicit transaction: its
// settings statement (its role, its claims, read-only), its statements,
// its own Sync, which ends the transaction and its transaction-local
// settings before the next request's begin — so nothing of one reaches
// another, and a statement that fails aborts only its own request.
//
// While a pipeline is in flight, requests queue; the next pipeline takes
// all of them (at most maxShared), so the batching needs no timer: under
// load the pipelines grow, idle a request goes at once.

// maxShared bounds the requests of one shared pipeline, and
// maxSharedInFlight the shared pipelines at once (each holds a pooled
// connection).
const (
	maxShared         = 64
	maxSharedInFlight = 2
)

// sharedRequest is one request of a shared pipeline.
type sharedRequest struct {
	ctx  context.Context
	sess Session
	jobs []*job
	out  *resultBuffer
	mark int // the arena's length before its results
	err  *wire.Error
	done chan struct{}
}

// sharedQueue is the requests waiting for a shared pipeline.
type sharedQueue struct {
	mu       sync.Mutex
	waiting  []*sharedRequest
	inFlight int
	// pipelines and requests count what was sent, open the requests
	// queued or in a pipeline now.
	pipelines, requests, open atomic.Int64
}

// SharedStats are how many shared pipelines were sent, how many requests
// they carried, and how many are queued or in a pipeline now.
func (x *Executor) SharedStats() (pipelines, requests, open int64) {
	return x.shared.pipelines.Load(), x.shared.requests.Load(), x.shared.open.Load()
}

// RunShared runs a read-only request's statements in a shared pipeline
// (see above) and reads their results into arena, as Run does for one.
// It waits for its pipeline even when ctx ends meanwhile (the pipeline
// writes into arena), which its own deadline bounds.
func (x *Executor) RunShared(ctx context.Context, sess Session, stmts []sqlgen.Statement, arena *[]byte) ([]Result, *wire.Error) {
	if len(stmts) == 0 {
		return nil, nil
	}
	r := &sharedRequest{ctx: ctx, sess: sess, out: &resultBuffer{arena: arena, limit: x.maxResponseBytes}, done: make(chan struct{})}
	for i := range stmts {
		r.jobs = append(r.jobs, &job{stmt: &stmts[i]})
	}
	q := &x.shared
	q.open.Add(1)
	defer q.open.Add(-1)
	q.mu.Lock()
	q.waiting = append(q.waiting, r)
	start := q.inFlight < maxSharedInFlight
	if start {
		q.inFlight++
	}
	q.mu.Unlock()
	if start {
		go x.sendShared()
	}
	<-r.done
	if r.err != nil {
		return nil, r.err
	}
	results := make([]Result, len(r.jobs))
	for i, j := range r.jobs {
		results[i] = Result{JSON: j.result, Err: j.err}
	}
	return results, nil
}

// sendShared sends pipelines of the waiting requests until none waits.
func (x *Executor) sendShared() {
	q := &x.shared
	for {
		q.mu.Lock()
		n := min(len(q.waiting), maxShared)
		if n == 0 {
			q.inFlight--
			q.mu.Unlock()
			return
		}
		batch := q.waiting[:n:n]
		q.waiting = q.waiting[n:]
		q.mu.Unlock()
		x.runShared(batch)
		for _, r := range batch {
			close(r.done)
		}
	}
}

// runShared runs batch on one connection. Requests whose time is up are
// answered as such; one whose statements cannot be prepared runs on its
// own (see query), where its error is reported. When the connection dies
// under the pipeline (a restarted server), the requests run again on one
// proven alive, as Run's do: they are reads, and nothing of them reached
// a client.
func (x *Executor) runShared(batch []*sharedRequest) {
	var live []*sharedRequest
	var until time.Time
	for _, r := range batch {
		if r.ctx.Err() != nil {
			r.err = interrupted(r.ctx)
			continue
		}
		live = append(live, r)
		r.mark = len(*r.out.arena)
		if d, ok := r.ctx.Deadline(); ok && d.After(until) {
			until = d
		}
	}
	if len(live) == 0 {
		return
	}
	// The pipeline runs for all of them: a request's own cancellation
	// cannot stop the others' statements, so the latest deadline bounds it.
	ctx, cancel := context.Background(), context.CancelFunc(func() {})
	if !until.IsZero() {
		ctx, cancel = context.WithDeadline(ctx, until)
	}
	defer cancel()
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		if !x.runSharedOn(ctx, live, attempt > 1) || ctx.Err() != nil {
			return
		}
		x.retries.Add(1)
		for _, r := range live {
			*r.out.arena, r.out.total, r.err = (*r.out.arena)[:r.mark], 0, nil
			for _, j := range r.jobs {
				j.result, j.err = nil, nil
			}
		}
	}
}

// runSharedOn runs reqs on one connection (proven alive first when
// fresh); lost reports that the connection died under them.
func (x *Executor) runSharedOn(ctx context.Context, reqs []*sharedRequest, fresh bool) (lost bool) {
	conn, fatal := x.acquire(ctx, fresh)
	if fatal != nil {
		for _, r := range reqs {
			r.err = fatal
		}
		return false
	}
	defer conn.Release() // the pool discards a closed connection
	set := preparedOn(conn)
	if err := x.prepareFixed(ctx, conn, set); err != nil {
		for _, r := range reqs {
			r.err = x.fault(ctx, err)
		}
		return conn.Conn().IsClosed()
	}
	var sent []*sharedRequest
	for _, r := range reqs {
		x.prepareFields(ctx, conn, set, r.sess, r.jobs)
		if conn.Conn().IsClosed() {
			return true
		}
		if !allPrepared(r.jobs) {
			r.err = x.query(r.ctx, conn, set, r.sess, r.jobs, r.out)
			continue
		}
		sent = append(sent, r)
	}
	if len(sent) == 0 {
		return false
	}
	return x.pipelineShared(ctx, conn, set, sent)
}

func allPrepared(jobs []*job) bool {
	for _, j := range jobs {
		if j.prepared == "" {
			return false
		}
	}
	return true
}

// pipelineShared sends the requests as one pipeline, each with its own
// Sync, and reads each one's results; lost reports that the connection
// failed under it.
func (x *Executor) pipelineShared(ctx context.Context, conn *pgxpool.Conn, set *preparedSet, reqs []*sharedRequest) (lost bool) {
	c := conn.Conn()
	p := c.PgConn().StartPipeline(ctx)
	for _, r := range reqs {
		name, sql, args, err := x.settingsStatement(ctx, conn, set, settingsPairs(r.sess, true))
		if err == nil {
			err = sendPrepared(ctx, c, p, name, sql, args)
		}
		for _, j := range r.jobs {
			if err == nil {
				err = sendPrepared(ctx, c, p, j.prepared, j.stmt.SQL, j.stmt.Args)
			}
		}
		if err != nil { // an argument that does not encode: nothing of the pipeline went out yet
			_ = p.Close()
			conn.Conn().Close(context.WithoutCancel(ctx))
			for _, r := range reqs {
				r.err = x.fault(ctx, err)
			}
			return false
		}
		p.SendPipelineSync()
	}
	x.shared.pipelines.Add(1)
	x.shared.requests.Add(int64(len(reqs)))
	fatal := p.Flush()
	for i, r := range reqs {
		if fatal == nil {
			fatal = x.readShared(ctx, p, r)
		}
		if fatal != nil {
			for _, rest := range reqs[i:] {
				if rest.err == nil {
					rest.err = x.fault(ctx, fatal)
				}
			}
			break
		}
	}
	if err := p.Close(); err != nil || fatal != nil {
		conn.Conn().Close(context.WithoutCancel(ctx)) // the pool discards it
	}
	return fatal != nil && ctx.Err() == nil
}

// sendPrepared queues the prepared statement name (of sql) with args,
// encoded as pgx would encode them.
func sendPrepared(ctx context.Context, c *pgx.Conn, p *pgconn.Pipeline, name, sql string, args []any) error {
	sd, err := c.Prepare(ctx, name, sql) // prepared already: pgx answers from its cache
	if err != nil {
		return err
	}
	if len(args) != len(sd.ParamOIDs) {
		return errors.New("pgexec: a statement's arguments do not match its parameters")
	}
	m := c.TypeMap()
	values, formats := make([][]byte, len(args)), make([]int16, len(args))
	for i, a := range args {
		oid := sd.ParamOIDs[i]
		formats[i] = m.FormatCodeForOID(oid)
		if values[i], err = m.Encode(oid, formats[i], a, nil); err != nil {
			return err
		}
	}
	p.SendQueryStatement(sd, values, formats, []int16{pgx.TextFormatCode})
	return nil
}

// readShared reads one request's results: its settings statement's, then
// each statement's one value, up to its Sync. A statement that fails is
// its job's error, and the server skips the rest up to the Sync; a
// failing settings statement fails the request. The error returned is
// the connection's: the pipeline cannot be read on.
func (x *Executor) readShared(ctx context.Context, p *pgconn.Pipeline, r *sharedRequest) error {
	settings := true
	next := 0 // the job whose result comes next
	for {
		res, err := p.GetResults()
		if err != nil {
			return err
		}
		switch res := res.(type) {
		case *pgconn.PipelineSync:
			if r.err == nil {
				for _, j := range r.jobs[next:] {
					j.err = x.fault(ctx, errSkipped)
				}
			}
			return nil
		case *pgconn.ResultReader:
			var j *job
			if !settings && next < len(r.jobs) {
				j = r.jobs[next]
				next++
			}
			var scanErr error
			for res.NextRow() {
				if j != nil && scanErr == nil {
					scanErr = resultScanner{r.out, &j.result}.ScanBytes(res.Values()[0])
				}
			}
			_, err := res.Close()
			if err == nil {
				err = scanErr
			}
			switch {
			case err == nil:
			case settings:
				r.err = x.sessionFault(ctx, err)
			case j != nil:
				j.err = x.fault(ctx, err)
			}
			settings = false
		}
	}
}

// errSkipped is the error of a statement the server skipped because one
// before it in its request failed.
var errSkipped = errors.New("pgexec: not run: an earlier statement of the request failed")
