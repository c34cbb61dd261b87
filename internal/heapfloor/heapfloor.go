// Package heapfloor keeps the garbage collector from collecting a small
// heap dozens of times a second: it holds a ballast, an allocation of
// half the floor that is never written, so that Go's pacer (the next
// collection once the heap has grown by GOGC=100% of what the last one
// found live) lets the heap reach the floor plus twice what is live.
//
// A server's live heap is one or two MiB (its plan, pools, caches), and
// it allocates that much in a few hundred requests: paced by its live
// heap alone, it collected 20–40 times a second under load. A fixed
// higher GOGC would multiply every heap by the same factor, a large one
// too. Raising GOGC after each collection for the live heap it found
// (tried first) is unstable: the goal it sets is proportional to the
// next live heap, unknown yet, and a program whose live heap went from
// 0.2 to 3 MiB between two cycles overshot a 64 MiB floor to 298 MiB.
// A ballast only adds a constant: the heap costs at most the floor more.
// Its pages are never touched, so they take address space, not memory;
// the collector marks it as one object without looking inside.
package heapfloor

import (
	"os"
	"sync"
)

// DefaultMiB is gqlplan serve's floor unless --gc-min-heap says otherwise.
const DefaultMiB = 64

var (
	mu       sync.Mutex
	ballasts = map[*[]byte]bool{} // held until their stop; keeps them reachable
)

// Start holds a ballast of floor/2 bytes until stop is called. It does
// nothing when floor is 0 or the environment sets GOGC or GOMEMLIMIT: an
// operator who tuned the collector keeps it as tuned (and the ballast,
// mapped heap, would count against a memory limit).
func Start(floor uint64) (stop func()) {
	_, gogc := os.LookupEnv("GOGC")
	_, limit := os.LookupEnv("GOMEMLIMIT")
	if gogc || limit || floor < 2 {
		return func() {}
	}
	b := make([]byte, floor/2)
	mu.Lock()
	ballasts[&b] = true
	mu.Unlock()
	return func() {
		mu.Lock()
		delete(ballasts, &b)
		mu.Unlock()
	}
}
