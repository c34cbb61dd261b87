package cli

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Lines written concurrently all arrive, whole and each once, by Close;
// a line larger than the buffer goes straight through.
func TestBatchedWriterLosesNothingOnClose(t *testing.T) {
	var mu sync.Mutex
	var out bytes.Buffer
	writes := 0
	w := newBatchedWriter(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		writes++
		return out.Write(p)
	}))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				fmt.Fprintf(w, "line g=%d i=%d\n", g, i)
			}
		}()
	}
	wg.Wait()
	big := strings.Repeat("x", batchedBufSize+10) + "\n"
	_, _ = w.Write([]byte(big))
	w.Close()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 8001 || lines[8000] != strings.TrimSuffix(big, "\n") {
		t.Fatalf("%d lines arrived, want 8001 with the big one last", len(lines))
	}
	seen := map[string]bool{}
	for _, l := range lines[:8000] {
		if seen[l] || !strings.HasPrefix(l, "line g=") {
			t.Fatalf("line %q twice or torn", l)
		}
		seen[l] = true
	}
	if writes >= 8001/10 {
		t.Errorf("%d writes for 8001 lines: not batched", writes)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
