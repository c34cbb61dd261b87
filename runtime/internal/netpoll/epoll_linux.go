package netpoll

import (
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sys/unix"
)

// poller is one epoll instance and the goroutine waiting on it. Each
// registration is one-shot: after an event it stays silent until armed
// again, so one connection's ready never runs twice at once. Events
// carry a key, never reused, rather than the descriptor: an event
// gathered just before a connection closed cannot reach the connection
// that gets its descriptor next.
type poller struct {
	epfd int

	mu      sync.Mutex
	next    uint64
	watches map[uint64]*Watch
}

func newPoller() (*poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("netpoll: epoll_create1: %w", err)
	}
	p := &poller{epfd: epfd, watches: map[uint64]*Watch{}}
	go p.wait()
	return p, nil
}

const events = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT

// arm registers w, or re-arms it. w.mu is held.
func (p *poller) arm(w *Watch) error {
	if !w.added {
		p.mu.Lock()
		p.next++
		w.key = p.next
		p.watches[w.key] = w
		p.mu.Unlock()
		if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, w.fd, eventOf(w.key)); err != nil {
			p.forget(w.key)
			return err
		}
		w.added = true
		return nil
	}
	return unix.EpollCtl(p.epfd, unix.EPOLL_CTL_MOD, w.fd, eventOf(w.key))
}

// remove unregisters w. w.mu is held.
func (p *poller) remove(w *Watch) {
	_ = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, w.fd, nil)
	p.forget(w.key)
}

func (p *poller) forget(key uint64) {
	p.mu.Lock()
	delete(p.watches, key)
	p.mu.Unlock()
}

func eventOf(key uint64) *unix.EpollEvent {
	return &unix.EpollEvent{Events: events, Fd: int32(uint32(key)), Pad: int32(uint32(key >> 32))}
}

// wait hands each event to its watch's ready, on a goroutine of its own
// (ready reads and handles messages: the wait goes on meanwhile).
func (p *poller) wait() {
	evs := make([]unix.EpollEvent, 256)
	ready := make([]*Watch, 0, len(evs))
	for {
		n, err := unix.EpollWait(p.epfd, evs, -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			panic(fmt.Sprintf("netpoll: epoll_wait: %v", err)) // EBADF, EFAULT, EINVAL: the poller itself is broken
		}
		p.mu.Lock()
		for _, ev := range evs[:n] {
			key := uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
			if w := p.watches[key]; w != nil {
				ready = append(ready, w)
			}
		}
		p.mu.Unlock()
		for i, w := range ready {
			// Taking the watch's lock orders this ready after the Arm
			// that asked for it, as the memory model sees it (the kernel
			// orders them in fact); and a watch stopped meanwhile is not
			// called.
			w.mu.Lock()
			if !w.stopped {
				go w.ready()
			}
			w.mu.Unlock()
			ready[i] = nil
		}
		ready = ready[:0]
	}
}
