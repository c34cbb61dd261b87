// Package netpoll calls a function when a connection has bytes to read,
// without a goroutine waiting on it. A server that keeps many idle
// connections open (WebSocket subscribers waiting for a change) would
// otherwise hold a goroutine, its stack and a read buffer per
// connection, parked in Read; with netpoll an idle connection costs only
// its own state. On Linux one epoll instance watches every connection
// and one goroutine waits on it; elsewhere, and for a connection with no
// file descriptor (TLS), a goroutine per wait reads the connection
// itself (the caller's read then blocks: see Watch.Polled).
package netpoll

import (
	"sync"
	"syscall"
)

// Watch is one connection's registration: each Arm asks for one call of
// its ready function, on a goroutine of its own, once the connection has
// something to read (bytes, its end, an error).
type Watch struct {
	p     *poller // nil: a goroutine waits (no epoll, or no descriptor)
	fd    int
	key   uint64
	ready func()

	mu      sync.Mutex
	added   bool // registered with epoll (Arm modifies from then on)
	stopped bool
}

// New watches conn, calling ready after each Arm. conn is a
// *net.TCPConn (or another syscall.Conn); any other is watched by a
// goroutine per Arm.
func New(conn any, ready func()) *Watch {
	w := &Watch{ready: ready}
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return w
	}
	p, err := defaultPoller()
	if err != nil {
		return w
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return w
	}
	fd := -1
	if raw.Control(func(d uintptr) { fd = int(d) }) != nil || fd < 0 {
		return w
	}
	w.p, w.fd = p, fd
	return w
}

// Polled reports whether the connection is watched by epoll: then ready
// runs only once bytes wait, and a read of them must not block (a read
// of more than waits would hold the goroutine). Otherwise ready runs at
// once and its read blocks until there is something.
func (w *Watch) Polled() bool { return w.p != nil }

// Arm asks for the next call of ready. It does nothing once Stop was
// called.
func (w *Watch) Arm() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	if w.p == nil {
		go w.ready()
		return
	}
	if err := w.p.arm(w); err != nil {
		// The descriptor is being closed (Stop comes next): the reader
		// sees the end itself.
		go w.ready()
	}
}

// Now calls ready at once (on a goroutine of its own), as an Arm whose
// event came: the caller knows there is something to read. It does
// nothing once Stop was called.
func (w *Watch) Now() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		go w.ready()
	}
}

// Stop ends the watch; the connection must be closed only after it, so
// that its descriptor, reused by another connection, is never armed for
// this one.
func (w *Watch) Stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	w.stopped = true
	if w.p != nil && w.added {
		w.p.remove(w)
	}
}

var defaultPoller = sync.OnceValues(newPoller)
