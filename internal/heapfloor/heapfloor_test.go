package heapfloor

import (
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
)

const mib = 1 << 20

func heapGoal() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// rss is the process's resident memory, from /proc/self/statm.
func rss(t *testing.T) uint64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Fatalf("reading the resident memory: %v", err)
	}
	pages, err := strconv.ParseUint(strings.Fields(string(data))[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return pages * uint64(os.Getpagesize())
}

func unsetenv(t *testing.T, names ...string) {
	for _, name := range names {
		t.Setenv(name, "") // restored after the test
		if err := os.Unsetenv(name); err != nil {
			t.Fatal(err)
		}
	}
}

// first is whether no earlier test run of this process made a ballast.
var first = true

func TestStartRaisesTheHeapGoalNotTheMemory(t *testing.T) {
	unsetenv(t, "GOGC", "GOMEMLIMIT")
	runtime.GC()
	goal, resident := heapGoal(), rss(t)
	if goal >= 32*mib {
		t.Fatalf("the test's heap goal is %d MiB before the floor; it cannot tell the floor's", goal/mib)
	}

	stop := Start(64 * mib)
	runtime.GC()
	if got := heapGoal(); got < 64*mib || got > 64*mib+2*goal {
		t.Errorf("with a floor of 64 MiB the heap goal is %.1f MiB, want 64 MiB plus at most %.1f", float64(got)/mib, float64(2*goal)/mib)
	}
	// Only a ballast of fresh memory is untouched: one that reuses the
	// pages of an earlier one (-count=2) is zeroed first. A server holds
	// one, made as it starts.
	if grew := int64(rss(t)) - int64(resident); first && grew > 8*mib {
		t.Errorf("the ballast took %.1f MiB of resident memory, want its pages untouched", float64(grew)/mib)
	}

	first = false

	stop()
	runtime.GC()
	if got := heapGoal(); got >= 32*mib {
		t.Errorf("after stop the heap goal is %.1f MiB: the ballast is still held", float64(got)/mib)
	}
}

func TestStartKeepsAnOperatorsTuning(t *testing.T) {
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			unsetenv(t, "GOGC", "GOMEMLIMIT")
			t.Setenv(env, map[string]string{"GOGC": "100", "GOMEMLIMIT": "1GiB"}[env])
			stop := Start(64 * mib)
			defer stop()
			runtime.GC()
			if got := heapGoal(); got >= 32*mib {
				t.Errorf("with %s set the heap goal is %.1f MiB: the floor did not step aside", env, float64(got)/mib)
			}
		})
	}
}
