// Package replica routes read-only requests to streaming replicas of the
// primary: which replicas may serve (up, still replicas, not lagging past
// a bound), which one serves a request that must see a write (one that
// has replayed the write's commit), and the write-ahead log positions
// that say so.
//
// Each replica is probed every Options.ProbeInterval: it must answer, be
// in recovery (a promoted replica no longer follows the primary and is
// taken out), and its lag must be at most Options.MaxLag. Lag is measured
// against the primary's log, not against the replica's last replayed
// commit's timestamp, which grows without bound while the primary is
// idle: each probe also records the primary's flush position with the
// time, and a replica lags by the age of the oldest recorded position it
// has not replayed yet — zero once it has replayed the newest.
//
// A request that must see a write carries the write's position (see
// [Token]); it is served by a replica whose replayed position is at
// least that, asked again while the request may wait (Options.Wait), and
// otherwise by the primary.
package replica

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/runtime/internal/pgexec"
)

// LSN is a position in the primary's write-ahead log (pg_lsn), as a
// number of bytes.
type LSN uint64

// String writes it as PostgreSQL does: two hexadecimal halves.
func (l LSN) String() string { return fmt.Sprintf("%X/%X", uint64(l)>>32, uint32(l)) }

// lsnSQL reads a pg_lsn expression as its byte count.
func lsnSQL(expr string) string { return "(" + expr + " - '0/0'::pg_lsn)::int8" }

// Options are how replicas are used.
type Options struct {
	// MaxLag is the most a replica may lag and serve (0: 5 s).
	MaxLag time.Duration
	// Wait is how long a request that must see a write waits for a
	// replica to replay it before going to the primary.
	Wait time.Duration
	// ProbeInterval is how often each replica and the primary's position
	// are read (0: 1 s).
	ProbeInterval time.Duration
	Log           *slog.Logger
}

// DefaultMaxLag and DefaultProbeInterval are Options' defaults.
const (
	DefaultMaxLag        = 5 * time.Second
	DefaultProbeInterval = time.Second
)

// Replica is one replica: its pool, what its last probe found, and what
// it served.
type Replica struct {
	// Name is how logs, /readyz and the metrics name it: host, port and
	// database of its URL (never its password).
	Name string
	Pool *pgxpool.Pool
	// Exec runs requests on it, set once the replica first answers (see
	// Set.Watch's ready).
	Exec atomic.Pointer[pgexec.Executor]

	usable   atomic.Bool
	replayed atomic.Uint64 // LSN, at the last probe
	lag      atomic.Int64  // time.Duration, at the last probe
	served   atomic.Int64  // requests routed to it

	mu     sync.Mutex
	reason string // why it is not usable ("" when it is)
}

// Set is the replicas of one primary.
type Set struct {
	primary  *pgxpool.Pool
	replicas []*Replica
	opts     Options
	next     atomic.Uint32 // round robin over the usable ones
	// primaryServed counts the reads the primary served for them.
	primaryServed atomic.Int64

	// since holds the last position PositionSince read, and when its
	// read began; it is held while one is read.
	since    sync.Mutex
	sinceAt  time.Time
	sinceLSN LSN

	mu      sync.Mutex
	history []sample // the primary's positions, oldest first, within MaxLag and a probe
	trimmed bool     // positions older than those were recorded, and dropped
}

// sample is the primary's insert position at a time.
type sample struct {
	at  time.Time
	lsn LSN
}

// New is the set of replicas (their pools, named) of primary. None
// serves until Watch has probed it.
func New(primary *pgxpool.Pool, replicas []*Replica, opts Options) *Set {
	if opts.MaxLag <= 0 {
		opts.MaxLag = DefaultMaxLag
	}
	if opts.ProbeInterval <= 0 {
		opts.ProbeInterval = DefaultProbeInterval
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	for _, r := range replicas {
		r.reason = "not probed yet"
	}
	return &Set{primary: primary, replicas: replicas, opts: opts}
}

// Replicas are the set's replicas, in the order given.
func (s *Set) Replicas() []*Replica { return s.replicas }

// Watch probes the replicas every ProbeInterval until ctx ends. ready is
// called for a replica the first time it answers, before it serves: the
// caller sets its Exec there; an error keeps it out, and it is called
// again at the next probe.
func (s *Set) Watch(ctx context.Context, ready func(context.Context, *Replica) error) {
	t := time.NewTicker(s.opts.ProbeInterval)
	defer t.Stop()
	for {
		s.probe(ctx, ready)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// probeTimeout bounds one probe's query.
const probeTimeout = 2 * time.Second

// probe reads the primary's position, then each replica's state.
func (s *Set) probe(ctx context.Context, ready func(context.Context, *Replica) error) {
	if lsn, err := s.flushed(ctx); err == nil {
		s.record(time.Now(), lsn)
	}
	var wg sync.WaitGroup
	for _, r := range s.replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.probeReplica(ctx, r, ready)
		}()
	}
	wg.Wait()
}

// PositionSince is a primary position read at or after since: the last
// one read, if its read began then, else a new one. The subscriptions a
// commit wakes together share one read of it.
func (s *Set) PositionSince(ctx context.Context, since time.Time) (LSN, error) {
	s.since.Lock()
	defer s.since.Unlock()
	if !s.sinceAt.IsZero() && !s.sinceAt.Before(since) {
		return s.sinceLSN, nil
	}
	at := time.Now()
	lsn, err := s.Position(ctx)
	if err != nil {
		return 0, err
	}
	s.sinceAt, s.sinceLSN = at, lsn
	return lsn, nil
}

// Position is the primary's insert position now: every commit the
// primary has acknowledged ends at or before it, even one not yet
// flushed (synchronous_commit off).
func (s *Set) Position(ctx context.Context) (LSN, error) {
	return s.primaryLSN(ctx, "pg_current_wal_insert_lsn()")
}

// flushed is the primary's flush position now: what replicas can have
// been sent. Lag is measured against it, not the insert position, which
// a record nothing flushes yet (a standby snapshot of an idle primary)
// can hold ahead of every replica for as long as the primary is idle.
func (s *Set) flushed(ctx context.Context) (LSN, error) {
	return s.primaryLSN(ctx, "pg_current_wal_flush_lsn()")
}

func (s *Set) primaryLSN(ctx context.Context, expr string) (LSN, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	var n int64
	if err := s.primary.QueryRow(ctx, "SELECT "+lsnSQL(expr)).Scan(&n); err != nil {
		return 0, fmt.Errorf("read the primary's log position: %w", err)
	}
	return LSN(n), nil
}

// record keeps the primary's position at, dropping what is older than
// the lag bound and a probe: a replica behind those is out anyway.
func (s *Set) record(at time.Time, lsn LSN) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.history); n > 0 && s.history[n-1].lsn >= lsn {
		return // no write since: the older sample dates the position
	}
	s.history = append(s.history, sample{at, lsn})
	horizon := at.Add(-s.opts.MaxLag - 2*s.opts.ProbeInterval)
	i := 0
	for i < len(s.history)-1 && s.history[i].at.Before(horizon) {
		i++
	}
	s.history = s.history[i:]
	s.trimmed = s.trimmed || i > 0
}

// lagOf is how far behind a replica that replayed up to replayed is, at
// now: the age of the oldest recorded primary position after it. Behind
// even the first position recorded, and that less than MaxLag ago (the
// server just started), it is not known, and taken as more than MaxLag:
// the replica may be hours behind.
func (s *Set) lagOf(now time.Time, replayed LSN) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, h := range s.history {
		if h.lsn > replayed {
			if lag := now.Sub(h.at); i > 0 || lag > s.opts.MaxLag || s.trimmed {
				return lag
			}
			return unknownLag
		}
	}
	return 0
}

// unknownLag is the lag of a replica behind every position recorded.
const unknownLag = time.Duration(1<<63 - 1)

// probeReplica reads one replica's state and decides whether it serves.
func (s *Set) probeReplica(ctx context.Context, r *Replica, ready func(context.Context, *Replica) error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	var recovering bool
	var replayed *int64
	err := r.Pool.QueryRow(ctx, "SELECT pg_is_in_recovery(), "+lsnSQL("pg_last_wal_replay_lsn()")).Scan(&recovering, &replayed)
	switch {
	case err != nil:
		s.takeOut(r, "it does not answer", err)
		return
	case !recovering:
		s.takeOut(r, "it is not a replica (promoted?)", nil)
		return
	case replayed == nil:
		s.takeOut(r, "it has replayed nothing yet", nil)
		return
	}
	r.replayed.Store(uint64(*replayed))
	lag := s.lagOf(time.Now(), LSN(*replayed))
	r.lag.Store(int64(lag))
	switch {
	case lag == unknownLag:
		s.takeOut(r, "it is behind the primary, by how much is not known yet", nil)
		return
	case lag > s.opts.MaxLag:
		s.takeOut(r, fmt.Sprintf("it lags more than %s behind the primary", s.opts.MaxLag), nil)
		return
	}
	if r.Exec.Load() == nil {
		if err := ready(ctx, r); err != nil {
			s.takeOut(r, "it could not be set up", err)
			return
		}
	}
	s.putIn(r)
}

// TakeOut stops routing to r until a probe finds it well: a request on it
// found it unreachable.
func (s *Set) TakeOut(r *Replica, why string) { s.takeOut(r, why, nil) }

// takeOut stops routing to r: why is what /readyz says, err (which may
// name hosts and users) only the log.
func (s *Set) takeOut(r *Replica, why string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.usable.Swap(false) || r.reason != why {
		attrs := []any{"replica", r.Name, "reason", why}
		if err != nil {
			attrs = append(attrs, "error", err.Error())
		}
		s.opts.Log.Warn("read replica not in use", attrs...)
	}
	r.reason = why
}

func (s *Set) putIn(r *Replica) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.usable.Swap(true) {
		s.opts.Log.Info("read replica in use", "replica", r.Name)
	}
	r.reason = ""
}

// Pick is the replica a read that must see position after (0: none) is
// served by, or nil for the primary: the next usable one, round robin,
// that has replayed after — asked again every few milliseconds for up to
// Options.Wait.
func (s *Set) Pick(ctx context.Context, after LSN) *Replica {
	if r := s.pick(after); r != nil || after == 0 || s.opts.Wait <= 0 {
		return r
	}
	wait, cancel := context.WithTimeout(ctx, s.opts.Wait)
	defer cancel()
	for pause := time.Millisecond; ; pause = min(2*pause, 20*time.Millisecond) {
		for _, r := range s.replicas {
			if !r.usable.Load() {
				continue
			}
			var n int64
			if err := r.Pool.QueryRow(wait, "SELECT "+lsnSQL("pg_last_wal_replay_lsn()")).Scan(&n); err == nil && LSN(n) >= after {
				r.replayed.Store(uint64(max(LSN(n), LSN(r.replayed.Load()))))
				return r
			}
		}
		select {
		case <-wait.Done():
			return nil
		case <-time.After(pause):
		}
	}
}

func (s *Set) pick(after LSN) *Replica {
	n := len(s.replicas)
	start := int(s.next.Add(1))
	for i := range n {
		r := s.replicas[(start+i)%n]
		if r.usable.Load() && LSN(r.replayed.Load()) >= after {
			return r
		}
	}
	return nil
}

// Served counts a read served by r (nil: the primary).
func (s *Set) Served(r *Replica) {
	if r == nil {
		s.primaryServed.Add(1)
	} else {
		r.served.Add(1)
	}
}

// Status is what the set knows of one replica.
type Status struct {
	Name   string
	InUse  bool
	Reason string // why not, when not
	Lag    time.Duration
	Served int64
}

// Status is each replica's, in order, and how many reads the primary
// served instead.
func (s *Set) Status() (replicas []Status, primaryServed int64) {
	for _, r := range s.replicas {
		r.mu.Lock()
		replicas = append(replicas, Status{Name: r.Name, InUse: r.usable.Load(), Reason: r.reason, Lag: time.Duration(r.lag.Load()), Served: r.served.Load()})
		r.mu.Unlock()
	}
	return replicas, s.primaryServed.Load()
}
