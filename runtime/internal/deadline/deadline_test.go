package deadline

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

var errLate = errors.New("late")

func TestDeadlineCancelsWithItsCause(t *testing.T) {
	start := time.Now()
	ctx, cancel := WithTimeoutCause(context.Background(), 30*time.Millisecond, errLate)
	defer cancel()
	child, cancelChild := context.WithCancel(ctx)
	defer cancelChild()
	if at, ok := ctx.Deadline(); !ok || at.Before(start.Add(30*time.Millisecond)) {
		t.Fatalf("Deadline() = %v, %v; want 30 ms from the start or later", at, ok)
	}
	select {
	case <-child.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the context was not canceled after its deadline")
	}
	if took := time.Since(start); took < 30*time.Millisecond {
		t.Errorf("canceled after %v, before its deadline", took)
	}
	if cause := context.Cause(child); !errors.Is(cause, errLate) {
		t.Errorf("the derived context's cause is %v, want %v", cause, errLate)
	}
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("Err() = %v, want context.Canceled", ctx.Err())
	}
	if live(t) != 0 {
		t.Error("the sweep left the canceled context in its ring")
	}
}

func TestCancelBeforeTheDeadline(t *testing.T) {
	ctx, cancel := WithTimeoutCause(context.Background(), time.Hour, errLate)
	if ctx.Err() != nil {
		t.Fatalf("a context an hour from its deadline is done: %v", ctx.Err())
	}
	if live(t) != 1 {
		t.Fatalf("%d live contexts, want 1", live(t))
	}
	cancel()
	cancel() // a second call does nothing
	if cause := context.Cause(ctx); !errors.Is(cause, context.Canceled) {
		t.Errorf("cause = %v, want context.Canceled", cause)
	}
	if live(t) != 0 {
		t.Error("cancel left the context in the ring")
	}
}

func TestParentCancelsFirst(t *testing.T) {
	parent, cancelParent := context.WithCancelCause(context.Background())
	ctx, cancel := WithTimeoutCause(parent, time.Hour, errLate)
	defer cancel()
	gone := errors.New("the client left")
	cancelParent(gone)
	<-ctx.Done()
	if cause := context.Cause(ctx); !errors.Is(cause, gone) {
		t.Errorf("cause = %v, want the parent's, %v", cause, gone)
	}
}

// TestManyAtOnce adds and cancels contexts from many goroutines while the
// sweep cancels others (run it with -race).
func TestManyAtOnce(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				d := time.Hour
				if (g+i)%3 == 0 {
					d = time.Millisecond
				}
				ctx, cancel := WithTimeoutCause(context.Background(), d, errLate)
				if d == time.Millisecond && i%10 == 0 {
					<-ctx.Done()
					if !errors.Is(context.Cause(ctx), errLate) {
						t.Errorf("cause = %v, want %v", context.Cause(ctx), errLate)
					}
				}
				cancel()
			}
		}()
	}
	wg.Wait()
	if n := live(t); n != 0 {
		t.Errorf("%d contexts left in the ring", n)
	}
}

func TestTheSweepEndsWhenIdle(t *testing.T) {
	_, cancel := WithTimeoutCause(context.Background(), time.Hour, errLate)
	cancel()
	for end := time.Now().Add(30 * time.Second); running(); {
		if time.Now().After(end) {
			t.Fatal("the sweeping goroutine still runs with no context to sweep")
		}
		time.Sleep(Tick)
	}
}

func live(t *testing.T) int {
	t.Helper()
	sweep.mu.Lock()
	defer sweep.mu.Unlock()
	n := 0
	for c := sweep.head.next; c != &sweep.head; c = c.next {
		n++
	}
	return n
}

func running() bool {
	sweep.mu.Lock()
	defer sweep.mu.Unlock()
	return sweep.running
}
