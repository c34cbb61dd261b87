package replica

import (
	"strings"
	"testing"
	"time"
)

func TestToken(t *testing.T) {
	s := NewSigner([]byte(strings.Repeat("k", 32)))
	for _, scope := range []string{"", "*", "cmo-cmp"} {
		tok := s.Token(0x1_0000_2a00, scope)
		if lsn, got, ok := s.Read(tok); !ok || lsn != 0x1_0000_2a00 || got != scope {
			t.Fatalf("Read(%q) = %v, %q, %v", tok, lsn, got, ok)
		}
	}
	tok := s.Token(0x1_0000_2a00, "cmo")
	// A token of version 1, before scopes, is of every table.
	v1 := "1.100002a00"
	if lsn, scope, ok := s.Read(v1 + "." + s.mac(v1)); !ok || lsn != 0x1_0000_2a00 || scope != "*" {
		t.Errorf("a version 1 token reads as %v, %q, %v", lsn, scope, ok)
	}
	other := NewSigner([]byte(strings.Repeat("o", 32)))
	forged := []string{
		other.Token(0x1_0000_2a00, "cmo"),                       // another key
		strings.Replace(tok, "2a00", "2a01", 1),                 // another position, the same mac
		strings.Replace(tok, "cmo", "*", 1),                     // another scope, the same mac
		"", ".", "1.", "1.x.", "2.1.", tok + "x", "3" + tok[1:], // malformed
		strings.Repeat("1", 1000),
	}
	for _, f := range forged {
		if lsn, scope, ok := s.Read(f); ok {
			t.Errorf("Read(%q) accepted: %v %q", f, lsn, scope)
		}
	}
}

func TestLSNString(t *testing.T) {
	if got := LSN(0x1_0000_2a00).String(); got != "1/2A00" {
		t.Errorf("got %s", got)
	}
}

// A replica lags by the age of the oldest primary position it has not
// replayed, and not at all once it replayed the newest — however long
// the primary has been idle.
func TestLag(t *testing.T) {
	s := New(nil, nil, Options{MaxLag: 5 * time.Second, ProbeInterval: time.Second})
	t0 := time.Now()
	s.record(t0, 100)
	// Just started: behind the first position by an unknown time.
	if got := s.lagOf(t0.Add(time.Second), 50); got != unknownLag {
		t.Errorf("behind the first position a second after it: lag %s", got)
	}
	if got := s.lagOf(t0.Add(6*time.Second), 50); got != 6*time.Second {
		t.Errorf("behind the first position 6 s after it: lag %s", got)
	}
	s.record(t0.Add(time.Second), 100) // no write since: t0 dates 100
	s.record(t0.Add(2*time.Second), 200)
	s.record(t0.Add(3*time.Second), 300)
	now := t0.Add(4 * time.Second)
	for _, c := range []struct {
		replayed LSN
		lag      time.Duration
	}{{50, unknownLag}, {100, 2 * time.Second}, {250, time.Second}, {300, 0}, {400, 0}} {
		if got := s.lagOf(now, c.replayed); got != c.lag {
			t.Errorf("replayed %d: lag %s, want %s", c.replayed, got, c.lag)
		}
	}
	// Positions older than the bound and two probes are dropped, the
	// newest kept.
	s.record(t0.Add(time.Hour), 400)
	if len(s.history) != 1 || s.history[0].lsn != 400 {
		t.Errorf("history %v", s.history)
	}
}
