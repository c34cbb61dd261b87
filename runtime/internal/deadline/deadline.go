// Package deadline gives a context a deadline that a sweep every few
// milliseconds enforces, instead of a timer of its own.
//
// Every request has two deadlines, its own (the request timeout) and the
// wait for a pooled connection (the pool timeout), and nearly every
// request ends long before either. A timer each (context.WithTimeout) put
// two timers a request into the runtime's timer heap and took them out
// again, and a timer earlier than the network poller's sleep wakes the
// poller's thread (wakeNetPoller was 15% of BenchmarkMutationEndToEnd's
// CPU profile; the benchmark took 196 µs a request with the timers, 172
// without). Here a context with a deadline is linked into one list, and
// one goroutine, running while any such context is live, cancels those
// whose deadline passed, each with its cause, at most [Tick] late.
package deadline

import (
	"context"
	"sync"
	"time"
)

// Tick is how often the deadlines are swept: how late, at most, a
// context is canceled after its deadline.
const Tick = 10 * time.Millisecond

// idleTicks is how many sweeps the sweeper goroutine waits with no live
// context before it ends (the next context starts it again).
const idleTicks = 100

// WithTimeoutCause returns a copy of parent canceled with cause once d
// has passed (at most Tick later), and the function that cancels it
// before then, which the caller must call when done with it, as with
// [context.WithTimeoutCause]. Its Deadline is the time d from now; when
// the deadline cancels it, its Err is context.Canceled and
// [context.Cause] is cause.
func WithTimeoutCause(parent context.Context, d time.Duration, cause error) (context.Context, context.CancelFunc) {
	inner, cancel := context.WithCancelCause(parent)
	c := &timed{Context: inner, at: time.Now().Add(d), cancel: cancel, cause: cause}
	sweep.add(c)
	return c, func() {
		sweep.remove(c)
		cancel(context.Canceled)
	}
}

// timed is a context with a deadline: its Done, Err and Value are those
// of the cancelable context it wraps, so contexts derived from it find
// that one and are canceled with it without a goroutine of their own.
type timed struct {
	context.Context
	at     time.Time
	cancel context.CancelCauseFunc
	cause  error
	// prev and next link it into the sweeper's list while it is live.
	prev, next *timed
}

func (c *timed) Deadline() (time.Time, bool) { return c.at, true }

// sweeper holds the live contexts with a deadline, in a ring around
// head, and cancels those past it.
type sweeper struct {
	mu      sync.Mutex
	head    timed // the ring's sentinel
	running bool  // a sweeping goroutine is live
}

var sweep = newSweeper()

func newSweeper() *sweeper {
	s := &sweeper{}
	s.head.prev, s.head.next = &s.head, &s.head
	return s
}

func (s *sweeper) add(c *timed) {
	s.mu.Lock()
	c.prev, c.next = s.head.prev, &s.head
	s.head.prev.next, s.head.prev = c, c
	start := !s.running
	s.running = true
	s.mu.Unlock()
	if start {
		go s.run()
	}
}

// remove unlinks c, unless the sweep already did.
func (s *sweeper) remove(c *timed) {
	s.mu.Lock()
	s.unlink(c)
	s.mu.Unlock()
}

func (s *sweeper) unlink(c *timed) {
	if c.next == nil {
		return
	}
	c.prev.next, c.next.prev = c.next, c.prev
	c.prev, c.next = nil, nil
}

// run sweeps every Tick until the ring has been empty for idleTicks.
func (s *sweeper) run() {
	ticker := time.NewTicker(Tick)
	defer ticker.Stop()
	idle := 0
	var due []*timed
	for now := range ticker.C {
		s.mu.Lock()
		if s.head.next == &s.head {
			if idle++; idle >= idleTicks {
				s.running = false
				s.mu.Unlock()
				return
			}
		} else {
			idle = 0
		}
		for c := s.head.next; c != &s.head; {
			next := c.next
			if !now.Before(c.at) {
				s.unlink(c)
				due = append(due, c)
			}
			c = next
		}
		s.mu.Unlock()
		// Canceling runs what waits on the context (pgx's cancel request
		// among them), so it happens outside the lock.
		for i, c := range due {
			c.cancel(c.cause)
			due[i] = nil
		}
		due = due[:0]
	}
}
