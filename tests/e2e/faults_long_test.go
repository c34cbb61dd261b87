//go:build faults

package e2e

// The longer fault cases (make faults): a 10 s outage, backends
// terminated again and again, ten restarts, and a soak, each under reads
// and writes.

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestFaultOutageUnderLoad: PostgreSQL down for 10 s under load: every
// failure meanwhile is 503 SERVICE_UNAVAILABLE with Retry-After, the log
// stays a few lines a second (with the count of what it left out), and
// once the database is back nothing fails and nothing acknowledged is
// missing.
func TestFaultOutageUnderLoad(t *testing.T) {
	c := ownCluster(t)
	admin, login, plan := compileExampleIn(t, c.AdminDSN(), "forum", "forum_example_gqlplan")
	s := serve(t, admin, login, plan, "--default-role", "forum_example_anonymous")
	l := startLoad(t, s, 4, 2)
	time.Sleep(2 * time.Second)
	logBefore := len(s.log.String())
	if err := c.Halt(false); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Second)
	outageLog := s.log.String()[logBefore:]
	if err := c.Resume(context.Background()); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	time.Sleep(3 * time.Second)
	l.stop()
	l.check(t, admin, back)
	lines := strings.Count(outageLog, "\n")
	t.Logf("10 s outage: %s; %d log lines (%d bytes) during it, recovery: %v to the first success",
		l.summary(back), lines, len(outageLog), l.recovery(back))
	// 10 s at 5 lines a second for each of the two failure messages, after
	// their bursts of 20.
	if lines > 2*(20+5*12) {
		t.Errorf("%d log lines in a 10 s outage; failures are not rate-limited", lines)
	}
	if !strings.Contains(s.log.String(), "suppressed=") {
		t.Error("no log line tells how many lines were suppressed")
	}
}

// TestFaultTerminatedBackendsUnderLoad: every connection of the server
// terminated twice a second for 10 s: no read fails, no acknowledged
// write is lost, and a failed write says whether it was applied.
func TestFaultTerminatedBackendsUnderLoad(t *testing.T) {
	admin, login, plan := compileExample(t, "forum", "forum_example_gqlplan")
	s := serve(t, admin, login, plan, "--default-role", "forum_example_anonymous")
	ctx := context.Background()
	conn := connect(t, admin)
	l := startLoad(t, s, 4, 2)
	start := time.Now()
	terminated := 0
	for time.Since(start) < 10*time.Second {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE usename = 'forum_example_gqlplan' AND datname = current_database()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		terminated += n
		time.Sleep(500 * time.Millisecond)
	}
	l.stop()
	l.check(t, admin, start) // reads: none may fail at all
	t.Logf("%d backends terminated in 10 s: %s", terminated, l.summary(start))
}

// TestFaultRestartsUnderLoad: ten restarts, fast and immediate in turn,
// under load.
func TestFaultRestartsUnderLoad(t *testing.T) {
	c := ownCluster(t)
	admin, login, plan := compileExampleIn(t, c.AdminDSN(), "forum", "forum_example_gqlplan")
	s := serve(t, admin, login, plan, "--default-role", "forum_example_anonymous")
	l := startLoad(t, s, 4, 2)
	var backs []time.Time
	for i := range 10 {
		time.Sleep(2 * time.Second)
		if err := c.Halt(i%2 == 1); err != nil {
			t.Fatal(err)
		}
		if err := c.Resume(context.Background()); err != nil {
			t.Fatal(err)
		}
		backs = append(backs, time.Now())
	}
	time.Sleep(2 * time.Second)
	l.stop()
	l.checkWrites(t, admin)
	for _, r := range l.reads {
		if r.failed() && startedAfterARestart(r.start, backs) {
			t.Errorf("a read started after a restart completed failed: %d %s %q %v", r.status, r.code, r.message, r.err)
			break
		}
	}
	t.Logf("10 restarts (5 fast, 5 immediate) in %v: %s", time.Since(backs[0]).Round(time.Second), l.summary(backs[len(backs)-1]))
}

// startedAfterARestart: at started, the database had been back from its
// last restart, and was not yet halted again (2 s later).
func startedAfterARestart(started time.Time, backs []time.Time) bool {
	for _, b := range backs {
		if started.After(b) && started.Before(b.Add(1500*time.Millisecond)) {
			return true
		}
	}
	return false
}

// TestFaultSoak: steady load for FAULTS_SOAK (default 2m): the server's
// memory stays flat, no request fails.
func TestFaultSoak(t *testing.T) {
	d := 2 * time.Minute
	if v := os.Getenv("FAULTS_SOAK"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			t.Fatal(err)
		}
	}
	admin, login, plan := compileExample(t, "forum", "forum_example_gqlplan")
	s := serve(t, admin, login, plan, "--default-role", "forum_example_anonymous", "--log-requests", "errors")
	l := startLoad(t, s, 4, 2)
	time.Sleep(d / 4)
	warm := memoryOf(t, s)
	time.Sleep(d * 3 / 4)
	end := memoryOf(t, s)
	l.stop()
	l.check(t, admin, time.Time{})
	t.Logf("soak %v: RSS %.1f MB after a quarter, %.1f MB at the end (peak %.1f MB); %s; log %d bytes",
		d, mb(warm.now), mb(end.now), mb(end.peak), l.summary(time.Time{}), len(s.log.String()))
	if end.now > warm.now+20<<20 {
		t.Errorf("RSS grew from %.1f to %.1f MB under steady load", mb(warm.now), mb(end.now))
	}
}
