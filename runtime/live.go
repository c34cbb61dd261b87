package runtime

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/internal/changefeed"
	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/replica"
	"github.com/gqlplan/gqlplan/runtime/internal/transport"
)

// Subscribers whose subscription would read the same thing share one
// read: the same document, operation and variables, run as the same role
// with the same claims — so Row Level Security, which reads only those,
// sees the same rows for each. A group reads its result again when a
// table it reads notifies a committed change (package changefeed; the
// server listens, see [Handler.Listen]), and every poll interval as the
// safety net, and hands each subscriber the result when it differs from
// the last one that subscriber got, without waiting on it: a WebSocket
// queues it (a client that lets its bounded queue fill is closed), an
// event stream keeps only the newest not yet written.

// liveGroups are the groups of the subscriptions served now.
type liveGroups struct {
	mu     sync.Mutex
	groups map[[sha256.Size]byte]*liveGroup
	// changes counts the notifications heard (and the reconnections of
	// the listener): a subscriber whose first read began before the count
	// moved may have missed a change, so its group reads again.
	changes atomic.Uint64
	streams atomic.Uint64 // numbers each stream's group
}

// liveGroup is the subscribers of one read.
type liveGroup struct {
	key  [sha256.Size]byte
	stop context.CancelFunc
	// tables are the payloads (schema.table) of the changes that read the
	// group again; nil: every change does (the plan does not know them).
	tables map[string]bool
	// wake holds a pending read: changes that come while one is pending
	// or running cost one more read, not one each.
	wake chan struct{}
	// stream: the group is one stream subscriber's (see stream.go); after
	// is the cursor of the last row it was sent (nil: none yet, so its
	// reads start where the document says).
	stream bool
	after  json.RawMessage
	mu     sync.Mutex
	subs   map[*liveSubscriber]struct{}
}

// liveSubscriber is one subscription in a group: deliver hands it a
// result (it must not block: the group's other subscribers wait), last
// is the last it was given.
type liveSubscriber struct {
	deliver func(body []byte)
	last    []byte
}

// newestOnly is a deliver function and the channel it fills: it holds
// the newest result not yet taken, at most one, for a subscriber that
// takes them in a goroutine of its own (an event stream).
func newestOnly() (deliver func([]byte), updates <-chan []byte) {
	ch := make(chan []byte, 1)
	return func(body []byte) {
		select { // one not taken is replaced
		case <-ch:
		default:
		}
		ch <- body
	}, ch
}

// groupKey identifies what a subscription reads, for the identity who:
// the plan it runs on (after a reload, the old plan's groups read on for
// their subscribers, apart from the new plan's), its document, operation and variables, who's role, and the values of
// the claims its rows can depend on (shared; see watching), or all of
// who's claims.
func groupKey(planHash string, params *transport.Request, who auth.Identity, shared []string) [sha256.Size]byte {
	vars, _ := json.Marshal(params.Variables) // map keys sorted: the same variables, the same bytes
	claims := who.ClaimsJSON
	if shared != nil {
		values := make(map[string]any, len(shared))
		for _, name := range shared {
			if v, ok := who.Claims[name]; ok {
				values[name] = v
			}
		}
		b, _ := json.Marshal(values)
		claims = string(b)
	}
	h := sha256.New()
	for _, part := range []string{planHash, params.Query, params.OperationName, string(vars), who.Role, claims} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key
}

// watching is what decides when a subscription is read again and who
// shares its reads: the tables whose changes may change its result (see
// liveGroup.tables; nil: every change), and the claims whose values may
// change its rows (see groupKey; nil: all claims).
type watching struct {
	tables map[string]bool
	claims []string
}

// watched is the watching of subscription op: the union over its root
// fields of what the plan says of each.
func (h *Handler) watched(op *operation.Operation) watching {
	w := watching{tables: map[string]bool{}, claims: []string{}}
	for _, sel := range op.Fields {
		planned := h.index.Subscriptions[sel.Name]
		if planned == nil {
			continue // __typename
		}
		if len(planned.Spec.Tables) == 0 {
			return watching{}
		}
		for _, t := range planned.Spec.Tables {
			w.tables[changefeed.Payload(t.Schema, t.Name)] = true
		}
		if planned.Spec.AllClaims || w.claims == nil {
			w.claims = nil
			continue
		}
		for _, c := range planned.Spec.GroupClaims {
			if !slices.Contains(w.claims, c) {
				w.claims = append(w.claims, c)
			}
		}
	}
	return w
}

// join adds a subscriber, which was last given first and is handed
// results by deliver, to the group of
// params and who, starting the group's reads when it is new; leave
// removes it, and ends the reads with the last subscriber. since is the
// count of changes before first was read: when changes came meanwhile,
// the group reads again, so none is missed.
func (h *Handler) join(params *transport.Request, who auth.Identity, first []byte, w watching, since uint64, batch *streamBatch, deliver func([]byte)) (leave func()) {
	key := groupKey(h.cfg.Plan.Hash, params, who, w.claims)
	if batch != nil { // a group of its own
		key = sha256.Sum256(fmt.Appendf(nil, "stream %d", h.live.streams.Add(1)))
	}
	sub := &liveSubscriber{deliver: deliver, last: first}
	l := &h.live
	l.mu.Lock()
	if l.groups == nil {
		l.groups = map[[sha256.Size]byte]*liveGroup{}
	}
	g := l.groups[key]
	if g == nil {
		ctx, stop := context.WithCancel(context.Background())
		g = &liveGroup{key: key, stop: stop, tables: w.tables, wake: make(chan struct{}, 1), subs: map[*liveSubscriber]struct{}{}}
		if batch != nil {
			g.stream = true
			if batch.count > 0 {
				g.after = batch.cursor
			}
		}
		l.groups[key] = g
		go h.readAgain(ctx, g, params, who)
	}
	g.mu.Lock()
	g.subs[sub] = struct{}{}
	g.mu.Unlock()
	l.mu.Unlock()
	if l.changes.Load() != since || batch != nil && batch.full {
		g.awake()
	}
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		g.mu.Lock()
		delete(g.subs, sub)
		empty := len(g.subs) == 0
		g.mu.Unlock()
		if empty && l.groups[key] == g {
			delete(l.groups, key)
			g.stop()
		}
	}
}

// awake asks the group to read again, unless a read is pending already.
func (g *liveGroup) awake() {
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// Changed wakes the groups that read table (a changefeed payload).
func (l *liveGroups) Changed(table string) {
	l.changes.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, g := range l.groups {
		if g.tables == nil || g.tables[table] {
			g.awake()
		}
	}
}

// Missed wakes every group: the listener was away, and what was notified
// meanwhile is lost.
func (l *liveGroups) Missed() {
	l.changes.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, g := range l.groups {
		g.awake()
	}
}

// readAgain reads the group's result when woken, and every poll interval
// (when polling is on), and hands it to each subscriber whose last
// differs.
func (h *Handler) readAgain(ctx context.Context, g *liveGroup, params *transport.Request, who auth.Identity) {
	var tick <-chan time.Time
	if poll := h.cfg.Limits.SubscriptionPoll; poll > 0 {
		t := time.NewTicker(poll)
		defer t.Stop()
		tick = t.C
	}
	retry := time.Second
	for {
		select {
		case <-ctx.Done():
			return
		case <-g.wake:
		case <-tick:
		}
		woken := withReadStart(ctx, time.Now()) // after the commit that woke it, and its last read
		read := params
		if g.stream && g.after != nil {
			next := *params
			next.After = g.after
			read = &next
		}
		out, body := h.answerOnce(woken, read, who)
		if ctx.Err() != nil {
			return
		}
		if out.Data == nil { // refused now (the database away): read again soon
			time.AfterFunc(retry, g.awake)
			retry = min(2*retry, 30*time.Second)
			continue
		}
		retry = time.Second
		if g.stream {
			if out.batch == nil || out.batch.count == 0 {
				continue // nothing new
			}
			g.after = out.batch.cursor
			if out.batch.full {
				g.awake() // more may wait: the next batch at once
			}
		}
		g.mu.Lock()
		for sub := range g.subs {
			if bytes.Equal(sub.last, body) {
				continue
			}
			sub.last = body
			sub.deliver(body)
		}
		g.mu.Unlock()
	}
}

// expiresAt is when who's token expires, if it carries an exp.
func expiresAt(who auth.Identity) (time.Time, bool) {
	exp, ok := who.Claims["exp"].(json.Number)
	if !ok {
		return time.Time{}, false
	}
	at, err := exp.Float64()
	return time.Unix(int64(at), 0), err == nil
}

// Stats is what the handler's live data is doing now, and has done.
type Stats struct {
	// LiveGroups are the groups of subscribers that share reads, and
	// Subscribers the subscriptions in them (a stream is a group of one).
	LiveGroups, Subscribers int
	// SharedPipelines are the pipelines subscriptions' reads were sent
	// in, and SharedReads the reads they carried (see pgexec.RunShared);
	// SharedOpen the reads queued or in one now.
	SharedPipelines, SharedReads, SharedOpen int64
	// With Config.Pipelining: the pipelines of queries sent, the queries
	// they carried, those queued or in one now, and those refused because
	// no pipeline took them within the pool timeout.
	QueryPipelines, PipelinedQueries, PipelineOpen, PipelineRefused int64
	// With Config.Replicas: each replica's state and the queries it
	// served, and the queries the primary served instead.
	Replicas     []ReplicaStats
	PrimaryReads int64
}

// ReplicaStats is what Stats says of a replica.
type ReplicaStats struct {
	Name   string
	InUse  bool
	Reason string // why it is not in use
	Lag    time.Duration
	Reads  int64
}

// Stats reports what the handler's live data is doing.
func (h *Handler) Stats() Stats {
	var st Stats
	h.live.mu.Lock()
	for _, g := range h.live.groups {
		g.mu.Lock()
		st.LiveGroups, st.Subscribers = st.LiveGroups+1, st.Subscribers+len(g.subs)
		g.mu.Unlock()
	}
	h.live.mu.Unlock()
	st.SharedPipelines, st.SharedReads, st.SharedOpen = h.exec.SharedStats()
	st.QueryPipelines, st.PipelinedQueries, st.PipelineOpen, st.PipelineRefused = h.exec.PipelineStats()
	if h.replicas != nil {
		var replicas []replica.Status
		replicas, st.PrimaryReads = h.replicas.set.Status()
		for _, r := range replicas {
			st.Replicas = append(st.Replicas, ReplicaStats{Name: r.Name, InUse: r.InUse, Reason: r.Reason, Lag: r.Lag, Reads: r.Served})
		}
	}
	return st
}
