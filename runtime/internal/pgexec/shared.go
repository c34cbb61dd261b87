package pgexec

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/runtime/internal/deadline"
	"github.com/gqlplan/gqlplan/runtime/internal/sqlgen"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
)

// Shared pipelines: reads that come together — a committed change wakes
// every subscription group that reads its table at once; queries of
// clients that arrive together, with Options.Pipelining — go to
// PostgreSQL as one pipeline on one connection, one write and one read
// for all, and one wakeup of its backend, where each would otherwise take
// a connection and a round trip of its own. Each request stays its own
// implicit transaction: its settings statement (its role, its claims,
// read-only), its statements, its own Sync, which ends the transaction
// and its transaction-local settings before the next request's begin —
// so nothing of one reaches another, and a statement that fails aborts
// only its own request.
//
// While a queue's pipelines are all in flight, requests wait; the next
// pipeline takes all of them (at most the queue's depth), so the
// batching needs no timer: under load the pipelines grow, idle a request
// goes at once. The depth bounds how many requests one slow statement
// holds behind it. A pipeline beyond the first opens only for pipelineJoin
// requests waiting: one that finds a pipeline in flight waits for it to
// come back (about as soon as a round trip of its own would end) or for a
// neighbour to go with — else eight clients on two cores sent nearly one
// request a pipeline (make bench), and each paid a pipeline's handoffs
// for nothing — and, when the pipeline in flight is slow, at most
// joinWait and a deadline sweep (deadline.Tick) before it goes alone.
//
// A request's deadline cannot cancel its statement as a lone request's
// does — a cancel request stops whatever its backend runs, which may be a
// neighbour's statement — so its settings bound its statements with a
// statement_timeout of the time it has left, which PostgreSQL enforces
// for that statement alone. A request canceled otherwise (its client
// gone) has its statement canceled only while nothing of another request
// is left on its connection: it is the pipeline's last, and the pipeline
// waits for the cancel request to be delivered before the connection
// serves anyone else (a backend reading its next command ignores a
// cancel). Else its statement runs to its end or its timeout, unread.

// sharedDepth bounds the reads of one subscription pipeline, and
// sharedInFlight their pipelines at once (each holds a pooled
// connection).
const (
	sharedDepth    = 64
	sharedInFlight = 2
)

// sharedRequest is one request of a shared pipeline.
type sharedRequest struct {
	ctx  context.Context
	sess Session
	jobs []*job
	out  *resultBuffer
	mark int // the arena's length before its results
	err  *wire.Error
	// failed is the job whose statement failed, or -1: the jobs after it
	// run again in a transaction of their own, as in a lone query.
	failed int
	done   chan struct{}
	// reading is set once the request is its pipeline's last and its
	// results are read: then its statement may be canceled.
	reading atomic.Pointer[lastCancel]
}

// sharedQueue is the requests waiting for a shared pipeline.
type sharedQueue struct {
	depth, maxInFlight int
	// wait bounds how long a request waits for a pipeline to take it, as
	// the pool timeout bounds a lone request's wait for a connection (0:
	// no bound, for subscription reads).
	wait    time.Duration
	mu      sync.Mutex
	waiting []*sharedRequest
	// inFlight is the senders sending pipelines now (or woken to), idle
	// those waiting on wake for requests; a sender idle for senderIdle
	// ends. A sender lives on, rather than one being started per burst,
	// because reading a pipeline grows its stack: each new one copied its
	// stack up, and that cost a tenth of the server's CPU.
	inFlight, idle int
	wake           chan struct{} // sent to under mu, so never more than idle
	// pipelines and requests count what was sent, open the requests
	// queued or in a pipeline now, refused those no pipeline took within
	// wait.
	pipelines, requests, open, refused atomic.Int64
}

// SharedStats are how many shared pipelines of subscription reads were
// sent, how many reads they carried, and how many are queued or in a
// pipeline now.
func (x *Executor) SharedStats() (pipelines, requests, open int64) {
	return x.shared.pipelines.Load(), x.shared.requests.Load(), x.shared.open.Load()
}

// PipelineStats are the same of queries, with Options.Pipelining (zero
// without), and the queries refused because no pipeline took them within
// the pool timeout.
func (x *Executor) PipelineStats() (pipelines, requests, open, refused int64) {
	if x.pipelined == nil {
		return 0, 0, 0, 0
	}
	q := x.pipelined
	return q.pipelines.Load(), q.requests.Load(), q.open.Load(), q.refused.Load()
}

// RunShared runs a read-only request's statements in a shared pipeline
// of subscription reads (see above) and reads their results into arena,
// as Run does for one.
func (x *Executor) RunShared(ctx context.Context, sess Session, stmts []sqlgen.Statement, arena *[]byte) ([]Result, *wire.Error) {
	return x.runQueued(ctx, &x.shared, sess, stmts, arena)
}

// runQueued runs a read-only request in a pipeline of q. The pipeline
// reads its results into a buffer of its own, copied into arena once they
// are all read: a request whose ctx ends leaves at once, as a lone one
// does, and the pipeline finishes without it.
func (x *Executor) runQueued(ctx context.Context, q *sharedQueue, sess Session, stmts []sqlgen.Statement, arena *[]byte) ([]Result, *wire.Error) {
	if len(stmts) == 0 {
		return nil, nil
	}
	buf := pipelineBuffers.Get().(*[]byte)
	r := &sharedRequest{ctx: ctx, sess: sess, out: &resultBuffer{arena: buf, limit: x.maxResponseBytes}, failed: -1, done: make(chan struct{})}
	jobs := make([]job, len(stmts))
	r.jobs = make([]*job, len(stmts))
	for i := range stmts {
		jobs[i].stmt = &stmts[i]
		r.jobs[i] = &jobs[i]
	}
	q.open.Add(1)
	defer q.open.Add(-1)
	q.mu.Lock()
	q.waiting = append(q.waiting, r)
	spawn, held := q.send(false)
	q.mu.Unlock()
	if spawn {
		go x.sendShared(q)
	}
	// Bounds swept rather than timed (package deadline): a timer each
	// would wake the network poller's thread.
	var full <-chan struct{} // q.wait passed
	if q.wait > 0 {
		bound, stop := deadline.WithTimeoutCause(context.Background(), q.wait, nil)
		defer stop()
		full = bound.Done()
	}
	var late <-chan struct{} // held: joinWait passed
	if held {
		bound, stop := deadline.WithTimeoutCause(context.Background(), joinWait, nil)
		defer stop()
		late = bound.Done()
	}
	for waiting := true; waiting; {
		select {
		case <-r.done:
			waiting = false
		case <-late: // the pipeline in flight is slow: one more goes, if it may
			late, spawn = nil, false
			q.mu.Lock()
			if len(q.waiting) > 0 {
				spawn, _ = q.send(true)
			}
			q.mu.Unlock()
			if spawn {
				go x.sendShared(q)
			}
		case <-full:
			full = nil
			if q.withdraw(r) {
				q.refused.Add(1)
				putPipelineBuffer(buf)
				return nil, atCapacity()
			}
		case <-ctx.Done():
			if l := r.reading.Load(); l != nil { // its statement runs alone: canceled
				l.cancel()
			}
			return nil, interrupted(ctx) // r and its buffer are the pipeline's now
		}
	}
	defer putPipelineBuffer(buf)
	if r.err != nil {
		return nil, r.err
	}
	results := make([]Result, len(r.jobs))
	for i, j := range r.jobs {
		results[i] = Result{JSON: j.result, Err: j.err}
		if j.result != nil && len(j.result) < ownAllocation { // else it has its own allocation
			start := len(*arena)
			*arena = append(*arena, j.result...)
			results[i].JSON = (*arena)[start:len(*arena):len(*arena)]
		}
	}
	return results, nil
}

// pipelineJoin is how many requests waiting open a pipeline while one is
// in flight, and joinWait how long, at the least, one request waits for
// the pipeline in flight or a neighbour before it goes alone (see above).
const (
	pipelineJoin = 2
	joinWait     = time.Millisecond
)

// send counts one more pipeline in flight, to take the waiting requests,
// when q allows one more and they warrant it: none is in flight,
// pipelineJoin wait, or force; spawn: its sender must be started, none
// being idle to wake. held: one more was allowed but not warranted (q.mu
// held).
func (q *sharedQueue) send(force bool) (spawn, held bool) {
	switch {
	case q.inFlight >= q.maxInFlight:
		return false, false
	case q.inFlight > 0 && len(q.waiting) < pipelineJoin && !force:
		return false, true
	}
	q.inFlight++
	if q.idle > 0 {
		q.idle--
		q.wakeChan() <- struct{}{}
		return false, false
	}
	return true, false
}

// pipelineBuffers hold what a pipeline reads for one request until the
// request takes it.
var pipelineBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

func putPipelineBuffer(b *[]byte) {
	if cap(*b) <= 1<<20 {
		*b = (*b)[:0]
		pipelineBuffers.Put(b)
	}
}

// withdraw takes r out of the requests waiting in q, reporting whether
// it was still there: no pipeline took it.
func (q *sharedQueue) withdraw(r *sharedRequest) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, w := range q.waiting {
		if w == r {
			q.waiting = append(q.waiting[:i:i], q.waiting[i+1:]...)
			return true
		}
	}
	return false
}

// wakeChan is q.wake, made on first use (q.mu held).
func (q *sharedQueue) wakeChan() chan struct{} {
	if q.wake == nil {
		q.wake = make(chan struct{}, q.maxInFlight)
	}
	return q.wake
}

// senderIdle is how long a sender waits for requests before it ends.
const senderIdle = time.Second

// sendShared sends pipelines of q's waiting requests while any wait, then
// waits to be woken for more, up to senderIdle.
func (x *Executor) sendShared(q *sharedQueue) {
	idle := time.NewTimer(senderIdle)
	defer idle.Stop()
	for {
		q.mu.Lock()
		n := min(len(q.waiting), q.depth)
		if n == 0 {
			q.inFlight--
			q.idle++
			wake := q.wakeChan()
			q.mu.Unlock()
			idle.Reset(senderIdle)
			select {
			case <-wake: // counted in flight again by who woke it
				continue
			case <-idle.C:
			}
			q.mu.Lock()
			select {
			case <-wake: // woken as it gave up: it was counted
				q.mu.Unlock()
				continue
			default:
			}
			q.idle--
			q.mu.Unlock()
			return
		}
		batch := q.waiting[:n:n]
		q.waiting = q.waiting[n:]
		q.mu.Unlock()
		x.runShared(q, batch)
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
func (x *Executor) runShared(q *sharedQueue, batch []*sharedRequest) {
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
	// cannot stop the others' statements, so the latest deadline bounds
	// it, and a grace after it, for the statement_timeouts that end each
	// request's statements first.
	var ctx context.Context
	var cancel context.CancelFunc
	if until.IsZero() {
		ctx, cancel = context.WithCancel(context.Background())
	} else {
		ctx, cancel = context.WithDeadline(context.Background(), until.Add(pipelineGrace))
	}
	defer cancel()
	// Once every request has left (their clients gone, or the server
	// shutting down them all), nothing of the pipeline is wanted: it is
	// abandoned as a lone request is — its statements canceled, or its
	// connection closed under them without cancel requests (behind
	// PgBouncer 1.18 its statement would otherwise run on, unread, past
	// this process's exit) — and not run again.
	var staying atomic.Int32
	staying.Store(int32(len(live)))
	for _, r := range live {
		stop := context.AfterFunc(r.ctx, func() {
			if staying.Add(-1) == 0 {
				cancel()
			}
		})
		defer stop()
	}
	for attempt := 1; ; attempt++ {
		lost := x.runSharedOn(ctx, q, live, attempt > 1)
		if !lost || ctx.Err() != nil || attempt == x.attempts() {
			return // the last attempt's errors stand
		}
		x.retries.Add(1)
		for _, r := range live {
			*r.out.arena, r.out.total, r.err, r.failed = (*r.out.arena)[:r.mark], 0, nil, -1
			for _, j := range r.jobs {
				j.result, j.err = nil, nil
			}
		}
	}
}

// pipelineGrace is how long a pipeline may run past its requests' latest
// deadline: their statement_timeouts end their statements first, and the
// pipeline's own deadline (which cancels whatever its backend runs) is
// the net under them.
const pipelineGrace = time.Second

// runSharedOn runs reqs on one connection (proven alive first when
// fresh); lost reports that the connection died under them.
func (x *Executor) runSharedOn(ctx context.Context, q *sharedQueue, reqs []*sharedRequest, fresh bool) (lost bool) {
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
			r.err = x.fault(r.ctx, err)
		}
		return conn.Conn().IsClosed()
	}
	var sent []*sharedRequest
	for _, r := range reqs {
		// Its settings statement, prepared now if its shape (how many
		// claims, a deadline or none) is new to the connection: nothing
		// may be once the pipeline has begun.
		if _, _, _, err := x.settingsStatement(r.ctx, conn, set, withDeadline(r.ctx, settingsPairs(r.sess, true))); err != nil {
			r.err = x.fault(r.ctx, err)
			if conn.Conn().IsClosed() {
				return true
			}
			continue
		}
		x.prepareFields(r.ctx, conn, set, r.sess, r.jobs) // its own: nothing else runs on the connection yet
		if conn.Conn().IsClosed() {
			return true
		}
		if !x.unnamed && !allPrepared(r.jobs) {
			r.err = x.query(r.ctx, conn, set, r.sess, r.jobs, r.out)
			continue
		}
		sent = append(sent, r)
	}
	if len(sent) == 0 {
		return false
	}
	if lost := x.pipelineShared(ctx, q, conn, set, sent); lost || conn.Conn().IsClosed() {
		return lost
	}
	// What follows a failed statement runs again, as in a lone query.
	for _, r := range sent {
		if r.err == nil && r.failed >= 0 && r.failed < len(r.jobs)-1 {
			r.err = x.query(r.ctx, conn, set, r.sess, r.jobs[r.failed+1:], r.out)
		}
	}
	return false
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
func (x *Executor) pipelineShared(ctx context.Context, q *sharedQueue, conn *pgxpool.Conn, set *preparedSet, reqs []*sharedRequest) (lost bool) {
	c := conn.Conn()
	p := c.PgConn().StartPipeline(ctx)
	var eqb pgx.ExtendedQueryBuilder
	for _, r := range reqs {
		name, sql, args, err := x.settingsStatement(ctx, conn, set, withDeadline(r.ctx, settingsPairs(r.sess, true)))
		if err == nil {
			err = sendPrepared(ctx, c, p, &eqb, name, sql, args)
		}
		for _, j := range r.jobs {
			if err == nil {
				err = sendPrepared(ctx, c, p, &eqb, j.prepared, j.stmt.SQL, j.stmt.Args)
			}
		}
		if err != nil { // an argument that does not encode: nothing of the pipeline went out yet
			_ = p.Close()
			conn.Conn().Close(context.WithoutCancel(ctx))
			for _, r := range reqs {
				r.err = x.fault(r.ctx, err)
			}
			return false
		}
		p.SendPipelineSync()
	}
	q.pipelines.Add(1)
	q.requests.Add(int64(len(reqs)))
	last := &lastCancel{conn: c.PgConn(), sent: x.noCancel} // Options.NoCancelRequests: as if sent, so none is
	fatal := p.Flush()
	for i, r := range reqs {
		if i == len(reqs)-1 {
			r.reading.Store(last)
			if r.ctx.Err() != nil { // it left already
				last.cancel()
			}
		}
		if fatal == nil {
			fatal = x.readShared(ctx, p, r)
		}
		if fatal != nil {
			for _, rest := range reqs[i:] {
				if rest.err == nil {
					rest.err = x.fault(rest.ctx, fatal)
				}
			}
			break
		}
	}
	last.done()
	if err := p.Close(); err != nil || fatal != nil {
		conn.Conn().Close(context.WithoutCancel(ctx)) // the pool discards it
	}
	return fatal != nil && ctx.Err() == nil
}

// sendPrepared queues the prepared statement name (of sql) with args,
// encoded as pgx encodes them for a statement it runs (eqb, reused by the
// statements of a pipeline: Bind copies what it built). Without a name
// (Options.Unnamed), sql is parsed as the unnamed statement, its
// parameters' types inferred by the server, as pgx's
// QueryExecModeExec sends a statement it has not prepared.
func sendPrepared(ctx context.Context, c *pgx.Conn, p *pgconn.Pipeline, eqb *pgx.ExtendedQueryBuilder, name, sql string, args []any) error {
	if name == "" {
		if err := eqb.Build(c.TypeMap(), nil, args); err != nil {
			return err
		}
		p.SendQueryParams(sql, eqb.ParamValues, nil, eqb.ParamFormats, textResults)
		return nil
	}
	sd, err := c.Prepare(ctx, name, sql) // prepared already: pgx answers from its cache
	if err != nil {
		return err
	}
	if len(args) != len(sd.ParamOIDs) {
		return errors.New("pgexec: a statement's arguments do not match its parameters")
	}
	if err := eqb.Build(c.TypeMap(), sd, args); err != nil {
		return err
	}
	p.SendQueryStatement(sd, eqb.ParamValues, eqb.ParamFormats, textResults)
	return nil
}

// textResults asks for every result column as text: a field's JSON.
var textResults = []int16{pgx.TextFormatCode}

// readShared reads one request's results: its settings statement's, then
// each statement's one value, up to its Sync. A statement that fails is
// its job's error (and r.failed), and the server skips the rest up to the
// Sync; a failing settings statement, or an error that is the request's
// (its time up, its response too large), fails the request. The error
// returned is the connection's: the pipeline cannot be read on.
func (x *Executor) readShared(ctx context.Context, p *pgconn.Pipeline, r *sharedRequest) error {
	settings := true
	next := 0 // the job whose result comes next
	// failed records the error of the statement whose result came next.
	failed := func(err error) {
		var j *job
		if !settings && next < len(r.jobs) {
			j = r.jobs[next]
			next++
		}
		switch {
		case r.err != nil || r.failed >= 0: // the request failed already
		case settings:
			r.err = x.sessionFault(r.ctx, err)
		case j != nil:
			j.err = x.requestFault(ctx, r, err)
			if requestLevel(j.err) {
				r.err = j.err
			} else {
				r.failed = next - 1
			}
		}
		settings = false
	}
	for {
		res, err := p.GetResults()
		if err != nil {
			if _, ok := errors.AsType[*pgconn.PgError](err); ok {
				failed(err) // refused at Bind: the server skips to the Sync
				continue
			}
			return err
		}
		switch res := res.(type) {
		case *pgconn.PipelineSync:
			return nil
		case *pgconn.ResultReader:
			var dst *json.RawMessage
			if !settings && next < len(r.jobs) {
				dst = &r.jobs[next].result
			}
			var scanErr error
			for res.NextRow() {
				if dst != nil && scanErr == nil {
					scanErr = resultScanner{r.out, dst}.ScanBytes(res.Values()[0])
				}
			}
			_, err := res.Close()
			if err == nil {
				err = scanErr
			}
			if err != nil {
				failed(err)
				continue
			}
			if !settings {
				next++
			}
			settings = false
		case nil:
			return errors.New("pgexec: a pipeline ended before its Sync")
		}
	}
}
