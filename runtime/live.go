package runtime

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"sync"
	"time"

	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/runtime/internal/transport"
)

// Subscribers whose subscription would read the same thing share one
// read: the same document, operation and variables, run as the same role
// with the same claims — so Row Level Security, which reads only those,
// sees the same rows for each. A group reads the result every poll
// interval and hands each subscriber the result when it differs from the
// last one that subscriber got. A subscriber takes only the newest: one
// that has not taken the last result when the next comes gets the next
// instead, so a slow reader costs one result's memory, not a queue.

// liveGroups are the groups of the subscriptions served now.
type liveGroups struct {
	mu     sync.Mutex
	groups map[[sha256.Size]byte]*liveGroup
}

// liveGroup is the subscribers of one read.
type liveGroup struct {
	key  [sha256.Size]byte
	stop context.CancelFunc
	mu   sync.Mutex
	subs map[*liveSubscriber]struct{}
}

// liveSubscriber is one subscription in a group: updates holds the newest
// result it has not taken (at most one), last the last it was given.
type liveSubscriber struct {
	updates chan []byte
	last    []byte
}

// groupKey identifies what a subscription reads, for the identity who.
func groupKey(params *transport.Request, who auth.Identity) [sha256.Size]byte {
	vars, _ := json.Marshal(params.Variables) // map keys sorted: the same variables, the same bytes
	h := sha256.New()
	for _, part := range []string{params.Query, params.OperationName, string(vars), who.Role, who.ClaimsJSON} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key
}

// join adds a subscriber, which was last given first, to the group of
// params and who, starting the group's reads when it is new; leave
// removes it, and ends the reads with the last subscriber.
func (h *Handler) join(params *transport.Request, who auth.Identity, first []byte) (sub *liveSubscriber, leave func()) {
	key := groupKey(params, who)
	sub = &liveSubscriber{updates: make(chan []byte, 1), last: first}
	l := &h.live
	l.mu.Lock()
	if l.groups == nil {
		l.groups = map[[sha256.Size]byte]*liveGroup{}
	}
	g := l.groups[key]
	if g == nil {
		ctx, stop := context.WithCancel(context.Background())
		g = &liveGroup{key: key, stop: stop, subs: map[*liveSubscriber]struct{}{}}
		l.groups[key] = g
		go h.poll(ctx, g, params, who)
	}
	g.mu.Lock()
	g.subs[sub] = struct{}{}
	g.mu.Unlock()
	l.mu.Unlock()
	return sub, func() {
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

// poll reads the group's result every poll interval and hands it to each
// subscriber whose last differs.
func (h *Handler) poll(ctx context.Context, g *liveGroup, params *transport.Request, who auth.Identity) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(h.cfg.Limits.SubscriptionPoll):
		}
		out, body := h.answerOnce(ctx, params, who)
		if ctx.Err() != nil || out.Data == nil {
			continue // ended meanwhile, or refused now (the database away): read again next time
		}
		g.mu.Lock()
		for sub := range g.subs {
			if bytes.Equal(sub.last, body) {
				continue
			}
			sub.last = body
			select { // the newest only: one not taken is replaced
			case <-sub.updates:
			default:
			}
			sub.updates <- body
		}
		g.mu.Unlock()
	}
}
