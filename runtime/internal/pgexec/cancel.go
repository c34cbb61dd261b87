package pgexec

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gqlplan/gqlplan/runtime/internal/wire"
)

// How a pipelined request's time and cancellation stay its own (see
// shared.go): its deadline is its statement_timeout, and a cancel request
// goes out only when its statement is the one its backend runs.

// lastCancel cancels the statement of a pipeline's last request when the
// request is canceled while its results are read: nothing of another
// request is left on the connection then (see the top of this file). The
// request's goroutine delivers the cancel request before it leaves (so a
// server shutting down has it delivered before it exits), or the reader
// does, if the request left before its results came up.
type lastCancel struct {
	conn       *pgconn.PgConn
	mu         sync.Mutex // held while a cancel request is delivered
	over, sent bool
}

// cancel delivers the cancel request, unless the request's results were
// read meanwhile; once.
func (l *lastCancel) cancel() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.over || l.sent {
		return
	}
	l.sent = true
	deliver, stop := context.WithTimeout(context.Background(), cancelTimeout)
	defer stop()
	_ = l.conn.CancelRequest(deliver) // returns once the server took it
}

// done ends it once the request's results are read: a cancel request
// under way is waited for, before the connection serves anyone else.
func (l *lastCancel) done() {
	l.mu.Lock()
	l.over = true
	l.mu.Unlock()
}

// cancelTimeout bounds the delivery of a cancel request.
const cancelTimeout = 5 * time.Second

// withDeadline adds to a request's settings a statement_timeout of the
// time ctx has left, when that is less than the one they set (see the top
// of this file). It rounds up, so that the statement is canceled only
// once the request's time is up.
func withDeadline(ctx context.Context, pairs []any) []any {
	d, ok := ctx.Deadline()
	if !ok {
		return pairs
	}
	left := time.Until(d)
	ms := max(int64((left+time.Millisecond-1)/time.Millisecond)+1, 1)
	for i := len(pairs) - 2; i >= 0; i -= 2 {
		if pairs[i] == "statement_timeout" {
			if set, ok := pgDuration(pairs[i+1]); ok && set > 0 && set <= time.Duration(ms)*time.Millisecond {
				return pairs // the role's own timeout is the tighter
			}
			break
		}
	}
	return append(pairs, "statement_timeout", strconv.FormatInt(ms, 10))
}

// pgDuration reads a time setting as PostgreSQL writes one: a number of
// milliseconds, or a number and a unit (us, ms, s, min, h, d).
func pgDuration(v any) (time.Duration, bool) {
	s, ok := v.(string)
	if !ok {
		return 0, false
	}
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(s)
	}
	n, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, false
	}
	var unit time.Duration
	switch strings.TrimSpace(s[i:]) {
	case "", "ms":
		unit = time.Millisecond
	case "us":
		unit = time.Microsecond
	case "s":
		unit = time.Second
	case "min":
		unit = time.Minute
	case "h":
		unit = time.Hour
	case "d":
		unit = 24 * time.Hour
	default:
		return 0, false
	}
	return time.Duration(n * float64(unit)), true
}

// requestFault is the error of a statement of r: a statement_timeout
// that ended it as r's time ran out is r's timeout, as in a lone request.
func (x *Executor) requestFault(ctx context.Context, r *sharedRequest, err error) *wire.Error {
	if d, ok := r.ctx.Deadline(); ok && sqlState(err) == "57014" && time.Until(d) < deadlineSlack {
		<-r.ctx.Done()
	}
	if r.ctx.Err() != nil {
		return interrupted(r.ctx)
	}
	return x.fault(r.ctx, err)
}

// deadlineSlack is how close to its deadline a request's statement may
// be canceled by the statement_timeout withDeadline set.
const deadlineSlack = 50 * time.Millisecond
