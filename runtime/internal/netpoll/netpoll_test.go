package netpoll

import (
	"net"
	"testing"
	"time"
)

// pair is a connected TCP pair on loopback.
func pair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

func await(t *testing.T, ready <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatalf("ready was not called %s", what)
	}
}

func TestReadyOncePerArm(t *testing.T) {
	server, client := pair(t)
	ready := make(chan struct{}, 10)
	w := New(server, func() { ready <- struct{}{} })
	if !w.Polled() {
		t.Fatal("a TCP connection on Linux is polled")
	}
	w.Arm()
	if _, err := client.Write([]byte("a")); err != nil {
		t.Fatal(err)
	}
	await(t, ready, "for bytes")
	// Level-triggered and one-shot: the byte is still unread, so the next
	// Arm reports it again, once.
	w.Arm()
	await(t, ready, "for the byte left unread")
	buf := make([]byte, 1)
	if _, err := server.Read(buf); err != nil {
		t.Fatal(err)
	}
	w.Arm()
	client.Close() // the end is something to read too
	await(t, ready, "for the peer's close")
	if len(ready) != 0 {
		t.Fatalf("%d calls more than arms", len(ready))
	}
	w.Stop()
	w.Arm() // does nothing: the descriptor may be someone else's after Close
}

func TestManyConnectionsEachWokenByItsOwnBytes(t *testing.T) {
	const n = 50
	woken := make(chan int, n)
	var clients []net.Conn
	for i := range n {
		server, client := pair(t)
		New(server, func() { woken <- i }).Arm()
		clients = append(clients, client)
	}
	for i := n - 1; i >= 0; i-- {
		if _, err := clients[i].Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-woken:
			if got != i {
				t.Fatalf("wrote to %d, woke %d", i, got)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("connection %d was not woken", i)
		}
	}
}

func TestAConnectionWithoutDescriptorIsReadByAGoroutine(t *testing.T) {
	server, client := net.Pipe()
	defer server.Close()
	defer client.Close()
	ready := make(chan struct{}, 1)
	w := New(server, func() { ready <- struct{}{} })
	if w.Polled() {
		t.Fatal("a pipe has no descriptor to poll")
	}
	w.Arm() // the reader blocks in its read instead
	await(t, ready, "at once")
}
