package ratelog

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestFloodIsBoundedAndCounted(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(New(slog.NewTextHandler(&out, nil)))
	for range 1000 {
		log.Error("database unavailable", "error", "connection refused")
		log.Info("request", "status", 200)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var failures, requests int
	for _, l := range lines {
		switch {
		case strings.Contains(l, "database unavailable"):
			failures++
		case strings.Contains(l, "msg=request"):
			requests++
		}
	}
	// A loop of 1000 takes far less than a second: the burst, and perhaps
	// a token or two earned meanwhile.
	if failures < Burst || failures > Burst+Rate {
		t.Errorf("%d failure lines of 1000 passed, want about %d", failures, Burst)
	}
	if requests != 1000 {
		t.Errorf("%d info lines passed, want all 1000", requests)
	}
	log.Error("another failure") // its own budget
	if !strings.Contains(out.String(), "another failure") {
		t.Error("a different message was suppressed with the first")
	}
}

func TestSuppressedCountRidesTheNextLine(t *testing.T) {
	var out bytes.Buffer
	h := New(slog.NewTextHandler(&out, nil)).(*handler)
	now := time.Now()
	h.shared.now = func() time.Time { return now }
	log := slog.New(h.WithAttrs([]slog.Attr{slog.String("component", "db")})) // shares the budget
	for range Burst + 7 {
		log.Warn("database error")
	}
	if n := strings.Count(out.String(), "database error"); n != Burst {
		t.Fatalf("%d lines passed, want the burst of %d", n, Burst)
	}
	now = now.Add(time.Second)
	log.Warn("database error")
	last := lines(out.String())[Burst]
	if !strings.Contains(last, "suppressed=7") || !strings.Contains(last, "component=db") {
		t.Errorf("the line after the flood should count the 7 dropped: %s", last)
	}
	slog.New(h).Warn("database error")
	if strings.Contains(lines(out.String())[Burst+1], "suppressed") {
		t.Error("the count was reported twice")
	}
}

func lines(s string) []string { return strings.Split(strings.TrimSpace(s), "\n") }
