package runtime_test

import (
	"fmt"
	"sync"
	"testing"
)

// Requests borrow their result arena and response body from a pool: under
// concurrency each response still carries exactly its own results, also
// when a second result makes the arena grow after the first was read.
func TestConcurrentRequestsKeepTheirOwnResults(t *testing.T) {
	s := newServer(t, serverOptions{maxConns: 4})
	const q = `query($l: Int, $m: Int) { a: people(limit: $l) { id } b: people(limit: $m) { id firstName email tags } }`
	type vars struct{ l, m int }
	want := map[vars]string{}
	for l := 1; l <= 3; l++ {
		for m := 1; m <= 3; m++ {
			want[vars{l, m}] = s.query(q, map[string]any{"l": l, "m": m}, "")
		}
	}
	const workers, each = 8, 60
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				v := vars{1 + (w+i)%3, 1 + (w*7+i)%3}
				r := s.do(call{query: q, vars: map[string]any{"l": v.l, "m": v.m}})
				if got := fmt.Sprint(r.status, " ", r.data(t)); got != "200 "+want[v] {
					t.Errorf("limits %v: %s, want %s", v, got, want[v])
					return
				}
			}
		}()
	}
	wg.Wait()
}
