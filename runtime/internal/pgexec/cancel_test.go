package pgexec

import (
	"context"
	"testing"
	"time"
)

func TestPGDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"0": 0, "250": 250 * time.Millisecond, "1500ms": 1500 * time.Millisecond, "20s": 20 * time.Second,
		"1min": time.Minute, "2h": 2 * time.Hour, "1d": 24 * time.Hour, "500us": 500 * time.Microsecond, "1.5s": 1500 * time.Millisecond,
	} {
		if got, ok := pgDuration(in); !ok || got != want {
			t.Errorf("pgDuration(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []any{"soon", "5 fortnights", "", 5} {
		if _, ok := pgDuration(in); ok {
			t.Errorf("pgDuration(%v) read a duration", in)
		}
	}
}

func TestWithDeadline(t *testing.T) {
	lead := []any{"role", "app", "statement_timeout", "20s", "transaction_read_only", "on"}
	if got := withDeadline(context.Background(), lead); len(got) != len(lead) {
		t.Errorf("without a deadline: %v", got)
	}
	soon, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	got := withDeadline(soon, lead)
	if len(got) != len(lead)+2 || got[len(got)-2] != "statement_timeout" {
		t.Fatalf("2 s left, a timeout of 20 s: %v", got)
	}
	if ms := got[len(got)-1].(string); ms > "2001" || len(ms) != 4 {
		t.Errorf("2 s left: statement_timeout %s ms", ms)
	}
	later, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if got := withDeadline(later, lead); len(got) != len(lead) {
		t.Errorf("a minute left, a timeout of 20 s: the tighter timeout was replaced: %v", got)
	}
	if got := withDeadline(later, []any{"role", "app"}); len(got) != 4 {
		t.Errorf("no timeout set, a minute left: %v", got)
	}
}
