package wsconn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

// echo is a server whose sockets send each text message back and record
// how they ended.
type echo struct {
	srv   *httptest.Server
	mu    sync.Mutex
	ended []error
	done  chan struct{}
}

func newEcho(t *testing.T, limit int64) *echo { return newEchoOn(t, limit, httptest.NewServer) }

func newEchoOn(t *testing.T, limit int64, start func(http.Handler) *httptest.Server) *echo {
	t.Helper()
	e := &echo{done: make(chan struct{}, 16)}
	e.srv = start(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		conn, err := Upgrade(w, req, "echo")
		if err != nil {
			return
		}
		conn.SetReadLimit(limit)
		var ready func()
		ready = func() {
			err := conn.Read(func(binary bool, data []byte) {
				if !binary {
					_ = conn.WriteText(bytes.Clone(data), time.Second)
				}
			})
			if err == nil {
				conn.Wait()
				return
			}
			conn.Close()
			e.mu.Lock()
			e.ended = append(e.ended, err)
			e.mu.Unlock()
			e.done <- struct{}{}
		}
		conn.Serve(ready)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

// dial opens a raw client connection (frames written as they are).
func (e *echo) dial(t *testing.T) (net.Conn, io.Reader) {
	t.Helper()
	d := ws.Dialer{Protocols: []string{"echo"}}
	if e.srv.TLS != nil {
		d.TLSConfig = e.srv.Client().Transport.(*http.Transport).TLSClientConfig
	}
	conn, br, hs, err := d.Dial(context.Background(), "ws"+strings.TrimPrefix(e.srv.URL, "http"))
	if err != nil {
		t.Fatal(err)
	}
	if hs.Protocol != "echo" {
		t.Fatalf("protocol %q", hs.Protocol)
	}
	t.Cleanup(func() { conn.Close() })
	var r io.Reader = conn
	if br != nil {
		r = io.MultiReader(br, conn)
	}
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	return conn, r
}

func send(t *testing.T, w io.Writer, f ws.Frame) {
	t.Helper()
	if err := ws.WriteFrame(w, ws.MaskFrame(f)); err != nil {
		t.Fatal(err)
	}
}

func expect(t *testing.T, r io.Reader, op ws.OpCode, payload string) {
	t.Helper()
	f, err := ws.ReadFrame(r)
	if err != nil {
		t.Fatalf("reading %v %q: %v", op, payload, err)
	}
	if f.Header.OpCode != op || string(f.Payload) != payload {
		t.Fatalf("got %v %q, want %v %q", f.Header.OpCode, f.Payload, op, payload)
	}
}

func expectClose(t *testing.T, r io.Reader, code int) {
	t.Helper()
	f, err := ws.ReadFrame(r)
	if err != nil {
		t.Fatalf("reading the close frame: %v", err)
	}
	got, reason := ws.ParseCloseFrameData(f.Payload)
	if f.Header.OpCode != ws.OpClose || int(got) != code {
		t.Fatalf("got %v %d %q, want a close with %d", f.Header.OpCode, got, reason, code)
	}
}

func TestMessagesWholeFragmentedAndCutShort(t *testing.T) {
	e := newEcho(t, 1<<20)
	conn, r := e.dial(t)
	send(t, conn, ws.NewTextFrame([]byte("hello")))
	expect(t, r, ws.OpText, "hello")

	// A message in three fragments, a ping between them.
	send(t, conn, ws.NewFrame(ws.OpText, false, []byte("a")))
	send(t, conn, ws.NewPingFrame([]byte("p")))
	expect(t, r, ws.OpPong, "p")
	send(t, conn, ws.NewFrame(ws.OpContinuation, false, []byte("b")))
	send(t, conn, ws.NewFrame(ws.OpContinuation, true, []byte("c")))
	expect(t, r, ws.OpText, "abc")

	// A large message written a byte at a time: frames cut short at every
	// point wait for the rest.
	big := strings.Repeat("x", 70_000)
	frame, err := ws.CompileFrame(ws.MaskFrame(ws.NewTextFrame([]byte(big))))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		if _, err := conn.Write(frame[i : i+1]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := conn.Write(frame[20:]); err != nil {
		t.Fatal(err)
	}
	expect(t, r, ws.OpText, big)

	// Several messages in one write.
	var many bytes.Buffer
	for i := range 50 {
		send(t, &many, ws.NewTextFrame([]byte(fmt.Sprint(i))))
	}
	if _, err := conn.Write(many.Bytes()); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		expect(t, r, ws.OpText, fmt.Sprint(i))
	}

	// The client closes: the server answers with the same code.
	send(t, conn, ws.NewCloseFrame(ws.NewCloseFrameBody(4000, "bye")))
	expectClose(t, r, 4000)
	e.wait(t, 4000)
}

// wait waits for a socket to end, with code.
func (e *echo) wait(t *testing.T, code int) {
	t.Helper()
	select {
	case <-e.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the socket did not end")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var ce *CloseError
	if last := e.ended[len(e.ended)-1]; !errors.As(last, &ce) || ce.Code != code {
		t.Fatalf("ended with %v, want %d", last, code)
	}
}

func TestWhatTheClientDoesWrongClosesTheConnection(t *testing.T) {
	for _, c := range []struct {
		name  string
		write func(w io.Writer)
		code  int
	}{
		{"an unmasked frame", func(w io.Writer) { _ = ws.WriteFrame(w, ws.NewTextFrame([]byte("x"))) }, CloseProtocolError},
		{"text that is not UTF-8", func(w io.Writer) { _ = ws.WriteFrame(w, ws.MaskFrame(ws.NewTextFrame([]byte{0xff, 0xfe}))) }, CloseInvalidData},
		{"a message over the limit", func(w io.Writer) { _ = ws.WriteFrame(w, ws.MaskFrame(ws.NewTextFrame(make([]byte, 2000)))) }, CloseTooBig},
		{"fragments over the limit", func(w io.Writer) {
			_ = ws.WriteFrame(w, ws.MaskFrame(ws.NewFrame(ws.OpText, false, make([]byte, 600))))
			_ = ws.WriteFrame(w, ws.MaskFrame(ws.NewFrame(ws.OpContinuation, true, make([]byte, 600))))
		}, CloseTooBig},
		{"a continuation with nothing to continue", func(w io.Writer) {
			_ = ws.WriteFrame(w, ws.MaskFrame(ws.NewFrame(ws.OpContinuation, true, []byte("x"))))
		}, CloseProtocolError},
		{"a new message inside a fragmented one", func(w io.Writer) {
			_ = ws.WriteFrame(w, ws.MaskFrame(ws.NewFrame(ws.OpText, false, []byte("x"))))
			_ = ws.WriteFrame(w, ws.MaskFrame(ws.NewTextFrame([]byte("y"))))
		}, CloseProtocolError},
		{"a reserved opcode", func(w io.Writer) { _ = ws.WriteFrame(w, ws.MaskFrame(ws.NewFrame(ws.OpCode(3), true, nil))) }, CloseProtocolError},
		{"a close code of one byte", func(w io.Writer) { _ = ws.WriteFrame(w, ws.MaskFrame(ws.NewCloseFrame([]byte{3}))) }, CloseProtocolError},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEcho(t, 1000)
			conn, r := e.dial(t)
			c.write(conn)
			expectClose(t, r, c.code)
			e.wait(t, c.code)
		})
	}
}

func TestTheConnectionEndingWithoutACloseFrame(t *testing.T) {
	e := newEcho(t, 1000)
	conn, _ := e.dial(t)
	send(t, conn, ws.NewFrame(ws.OpText, false, []byte("half"))) // kept, then dropped
	conn.Close()
	e.wait(t, 1006)
}

func TestWritesAfterTheCloseFrameAreRefused(t *testing.T) {
	server, client := net.Pipe()
	defer client.Close()
	go func() { _, _ = io.Copy(io.Discard, client) }()
	c := &Conn{nc: server, limit: 100}
	if err := c.WriteClose(1000, strings.Repeat("é", 100), time.Second); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteText([]byte("late"), time.Second); !errors.Is(err, ErrClosed) {
		t.Fatalf("a write after the close frame: %v", err)
	}
}

// TestOverTLS: a connection without a descriptor to poll (the TLS
// connection decrypts what the socket holds) is read by a goroutine that
// blocks in its read, and serves the same.
func TestOverTLS(t *testing.T) {
	e := newEchoOn(t, 1<<20, httptest.NewTLSServer)
	conn, r := e.dial(t)
	send(t, conn, ws.NewFrame(ws.OpText, false, []byte("over ")))
	send(t, conn, ws.NewPingFrame(nil))
	expect(t, r, ws.OpPong, "")
	send(t, conn, ws.NewFrame(ws.OpContinuation, true, []byte("TLS")))
	expect(t, r, ws.OpText, "over TLS")
	send(t, conn, ws.NewCloseFrame(ws.NewCloseFrameBody(1000, "")))
	expectClose(t, r, 1000)
	e.wait(t, 1000)
}
