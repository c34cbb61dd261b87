package transport

import (
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

// BorrowBuffer takes a buffer of the pool, empty.
func BorrowBuffer() *[]byte {
	b := buffers.Get().(*[]byte)
	*b = (*b)[:0]
	return b
}

// ReturnBuffer gives b back (nil is ignored).
func ReturnBuffer(b *[]byte) {
	if b != nil && cap(*b) <= maxPooledBuffer {
		buffers.Put(b)
	}
}
