package cli

import (
	"io"
	"sync"
	"time"
)

// batchedWriter gathers the server's log lines into fewer writes: with a
// line per request, writing each one was a system call per request, a
// few percent of the server's CPU. Lines reach the underlying writer
// within flushEvery, at once when the buffer fills, and on Close; a
// failed write drops what it held (a log cannot stop the server). An
// exit on a second signal skips Close: up to flushEvery of lines is lost.
type batchedWriter struct {
	mu   sync.Mutex
	w    io.Writer
	buf  []byte
	stop chan struct{}
	done chan struct{}
}

const (
	flushEvery     = 100 * time.Millisecond
	batchedBufSize = 32 << 10
)

func newBatchedWriter(w io.Writer) *batchedWriter {
	b := &batchedWriter{w: w, buf: make([]byte, 0, batchedBufSize), stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushLoop()
	return b
}

// Write keeps p (one log record: slog handlers write each whole) for
// the next flush.
func (b *batchedWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf)+len(p) > cap(b.buf) {
		b.flushLocked()
	}
	if len(p) >= cap(b.buf) {
		_, _ = b.w.Write(p)
		return len(p), nil
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *batchedWriter) flushLocked() {
	if len(b.buf) > 0 {
		_, _ = b.w.Write(b.buf)
		b.buf = b.buf[:0]
	}
}

// Flush writes what is held.
func (b *batchedWriter) Flush() {
	b.mu.Lock()
	b.flushLocked()
	b.mu.Unlock()
}

func (b *batchedWriter) flushLoop() {
	defer close(b.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			b.Flush()
		case <-b.stop:
			b.Flush()
			return
		}
	}
}

// Close stops the flushing and writes what is held.
func (b *batchedWriter) Close() {
	close(b.stop)
	<-b.done
}
