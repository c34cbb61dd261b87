// Package ratelog keeps a failing dependency from flooding the log: it
// wraps a [slog.Handler] so that warnings and errors of one message pass
// at a bounded rate, and the next line of that message to pass carries
// the count of those dropped meanwhile (suppressed=N). An outage at
// thousands of requests a second is then a few lines a second that say
// how many they stand for; lines below warning pass untouched.
package ratelog

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate and Burst are how many warnings and errors of one message pass: a
// burst of Burst, then Rate a second.
const (
	Rate  = 5
	Burst = 20
)

// maxMessages bounds the messages tracked; the runtime logs a handful of
// constant ones, so more means someone logs variable text, which passes
// unlimited rather than growing the map.
const maxMessages = 256

// New wraps next.
func New(next slog.Handler) slog.Handler {
	return &handler{next: next, shared: &shared{messages: map[string]*message{}, now: time.Now}}
}

type handler struct {
	next   slog.Handler
	shared *shared // one budget for next and what WithAttrs and WithGroup derive
}

type shared struct {
	mu       sync.Mutex
	messages map[string]*message
	now      func() time.Time // the clock, a test's own
}

type message struct {
	allow      *rate.Limiter
	suppressed int
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return h.next.Handle(ctx, r)
	}
	s := h.shared
	s.mu.Lock()
	m := s.messages[r.Message]
	if m == nil && len(s.messages) < maxMessages {
		m = &message{allow: rate.NewLimiter(Rate, Burst)}
		s.messages[r.Message] = m
	}
	var dropped int
	if m != nil {
		if !m.allow.AllowN(s.now(), 1) {
			m.suppressed++
			s.mu.Unlock()
			return nil
		}
		dropped, m.suppressed = m.suppressed, 0
	}
	s.mu.Unlock()
	if dropped > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("suppressed", dropped))
	}
	return h.next.Handle(ctx, r)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &handler{next: h.next.WithAttrs(attrs), shared: h.shared}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{next: h.next.WithGroup(name), shared: h.shared}
}
