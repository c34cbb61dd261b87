package runtime

import (
	"encoding/json"
	"sync"
)

// A request borrows two byte buffers from a pool and returns them once its
// response is written: the arena its fields' results are read into, and
// the response body. Both grow with the response (20 posts are kilobytes),
// and allocating them per request was a third of the bytes the runtime
// allocated, and so of the work of its garbage collector.
var buffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBuffer is the largest buffer kept for reuse: the buffer of an
// exceptionally large response goes to the collector, not to the pool.
const maxPooledBuffer = 1 << 20

func borrowBuffer() *[]byte {
	b := buffers.Get().(*[]byte)
	*b = (*b)[:0]
	return b
}

func returnBuffer(b *[]byte) {
	if b != nil && cap(*b) <= maxPooledBuffer {
		buffers.Put(b)
	}
}

// resultScanner reads a field's result into the request's arena (pgx
// hands ScanBytes bytes that are valid only during the call). A result
// keeps its slice of the arena even when a later result makes the arena
// grow elsewhere.
type resultScanner struct {
	arena *[]byte
	dst   *json.RawMessage
}

func (s resultScanner) ScanBytes(v []byte) error {
	if v == nil {
		*s.dst = nil // SQL NULL
		return nil
	}
	start := len(*s.arena)
	*s.arena = append(*s.arena, v...)
	*s.dst = (*s.arena)[start:len(*s.arena):len(*s.arena)]
	return nil
}
