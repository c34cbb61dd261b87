package main

import (
	"slices"
	"testing"
)

// TestTurns: every round runs each server once, and over the rounds the
// first server (gqlplan) runs at as many places as there are rounds.
func TestTurns(t *testing.T) {
	for _, tc := range []struct{ n, rounds int }{{8, 3}, {3, 3}, {2, 5}, {1, 1}, {5, 1}} {
		places := map[int]bool{}
		for round := 1; round <= tc.rounds; round++ {
			order := turns(tc.n, round, tc.rounds)
			sorted := slices.Sorted(slices.Values(order))
			for i, s := range sorted {
				if s != i {
					t.Fatalf("n %d, round %d of %d: %v runs a server other than once", tc.n, round, tc.rounds, order)
				}
			}
			places[slices.Index(order, 0)] = true
		}
		if want := min(tc.n, tc.rounds); len(places) != want {
			t.Errorf("n %d over %d rounds: gqlplan ran at %d places, want %d", tc.n, tc.rounds, len(places), want)
		}
	}
}
