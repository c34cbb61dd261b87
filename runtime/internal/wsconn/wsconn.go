// Package wsconn is the server's end of a WebSocket connection (RFC
// 6455), read as bytes arrive rather than by a goroutine blocked in
// Read: the connection is watched by netpoll, and Read decodes what has
// arrived into whole messages, keeping a frame cut short until the rest
// comes. An idle connection so holds no goroutine and no buffer — what
// lets a server keep tens of thousands of subscribers open. The frames
// are read and written with github.com/gobwas/ws; control frames (ping,
// close) are answered here; what a message means is the caller's.
package wsconn

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/gobwas/ws"

	"github.com/gqlplan/gqlplan/runtime/internal/netpoll"
)

// Close codes of RFC 6455 the connection itself sends.
const (
	CloseNormal        = 1000
	CloseProtocolError = 1002
	CloseInvalidData   = 1007 // a text message that is not UTF-8
	ClosePolicy        = 1008
	CloseTooBig        = 1009
)

// ErrClosed is the error of a write once the close frame was sent.
var ErrClosed = errors.New("wsconn: the connection is closing")

// CloseError is how a connection ended: the close frame's code (the
// peer's, or the one sent for what the peer did wrong), or 1006 when the
// connection ended without one.
type CloseError struct {
	Code   int
	Reason string
}

func (e *CloseError) Error() string {
	return fmt.Sprintf("wsconn: closed with %d %s", e.Code, e.Reason)
}

// Conn is an upgraded connection. Read is called by one goroutine at a
// time (the ready function of Wait); writes may come from any.
type Conn struct {
	nc       net.Conn
	raw      syscall.RawConn // nil: the connection is read as a plain net.Conn
	watch    *netpoll.Watch
	protocol string
	limit    int64

	// What Read keeps between calls: bytes of a frame cut short, and the
	// fragments of a message not yet whole. Both nil while idle.
	in      []byte
	frag    []byte
	fragOp  ws.OpCode
	fragged bool

	wmu       sync.Mutex
	closeSent bool
}

// Upgrade answers req's WebSocket handshake, selecting protocol if the
// client offers it (Protocol then says; "" if not offered). On an error
// the client was answered and the connection closed.
func Upgrade(w http.ResponseWriter, req *http.Request, protocol string) (*Conn, error) {
	up := ws.HTTPUpgrader{Protocol: func(p string) bool { return p == protocol }, Timeout: 10 * time.Second}
	nc, rw, hs, err := up.Upgrade(req, w)
	if err != nil {
		if nc != nil {
			nc.Close()
		}
		return nil, fmt.Errorf("wsconn: upgrade: %w", err)
	}
	c := &Conn{nc: nc, protocol: hs.Protocol, limit: 1 << 20}
	if n := rw.Reader.Buffered(); n > 0 { // sent right after the handshake
		c.in, _ = rw.Reader.Peek(n)
		c.in = bytes.Clone(c.in)
	}
	if sc, ok := nc.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			c.raw = raw
		}
	}
	return c, nil
}

// Protocol is the subprotocol selected, or "".
func (c *Conn) Protocol() string { return c.protocol }

// SetReadLimit bounds a message (a longer one closes the connection with
// 1009). Call it before the first Wait.
func (c *Conn) SetReadLimit(n int64) { c.limit = n }

// Serve starts calling ready once there is something to read, on a
// goroutine of its own; ready calls Read, then Wait for the next time.
// Call it once, before anything else may use the connection.
func (c *Conn) Serve(ready func()) {
	c.watch = netpoll.New(c.nc, ready)
	c.Wait()
}

// Wait asks for the next call of ready. After Close it does nothing.
func (c *Conn) Wait() {
	if c.wholeFrame() { // bytes read before hold a frame: no need to wait
		c.watch.Now()
		return
	}
	c.watch.Arm()
}

// wholeFrame reports whether the bytes kept hold a whole frame.
func (c *Conn) wholeFrame() bool {
	if len(c.in) == 0 {
		return false
	}
	h, err := ws.ReadHeader(bytes.NewReader(c.in))
	return err == nil && int64(len(c.in)) >= int64(ws.HeaderSize(h))+h.Length
}

// readBuffers are the buffers reads go into; what a frame cut short
// leaves is copied out, so an idle connection keeps none.
var readBuffers = sync.Pool{New: func() any { b := make([]byte, 16<<10); return &b }}

// Read reads what has arrived and calls message with each whole message,
// in order (data is valid during the call only); it answers pings, and a
// close with a close. It returns nil when it read all there was (call
// Wait for more), or how the connection ended: a *CloseError, or the
// read's error. Once the close frame was sent, messages are no longer
// passed on: the peer's close is awaited.
func (c *Conn) Read(message func(binary bool, data []byte)) error {
	bufp := readBuffers.Get().(*[]byte)
	defer readBuffers.Put(bufp)
	buf := *bufp
	if c.wholeFrame() { // kept from the handshake's read: these first
		rest, err := c.frames(c.in, message)
		if err != nil {
			c.in = nil
			return err
		}
		c.keep(rest)
		return nil
	}
	for {
		n, err := c.fill(buf)
		if n > 0 {
			data := buf[:n]
			if len(c.in) > 0 {
				data = append(c.in, data...)
			}
			rest, err := c.frames(data, message)
			if err != nil {
				c.in = nil
				return err
			}
			c.keep(rest)
		}
		switch {
		case err == nil && c.watch.Polled() && n == len(buf):
			continue // there may be more
		case err == nil, errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EINTR):
			return nil
		case errors.Is(err, io.EOF):
			return &CloseError{Code: 1006, Reason: "the connection ended without a close frame"}
		default:
			return err
		}
	}
}

// keep copies the bytes of a frame cut short out of the read buffer.
func (c *Conn) keep(rest []byte) {
	if len(rest) == 0 {
		c.in = nil
		return
	}
	c.in = bytes.Clone(rest)
}

// fill reads into buf: without waiting when the connection is polled
// (EAGAIN when nothing is there), else as a blocking read.
func (c *Conn) fill(buf []byte) (int, error) {
	if c.raw == nil || !c.watch.Polled() {
		return c.nc.Read(buf)
	}
	var n int
	var rerr error
	if err := c.raw.Read(func(fd uintptr) bool {
		n, rerr = syscall.Read(int(fd), buf)
		return true // never wait: the poller said there are bytes
	}); err != nil {
		return 0, err
	}
	switch {
	case rerr != nil:
		return 0, rerr
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// frames decodes the whole frames at the start of data, passing on each
// whole message; it returns what is left (a frame cut short).
func (c *Conn) frames(data []byte, message func(binary bool, data []byte)) ([]byte, error) {
	for len(data) > 0 {
		h, err := ws.ReadHeader(bytes.NewReader(data))
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return data, nil
		}
		if err != nil {
			return nil, c.fail(CloseProtocolError, err.Error())
		}
		state := ws.StateServerSide
		if c.fragged {
			state = state.Set(ws.StateFragmented)
		}
		if err := ws.CheckHeader(h, state); err != nil {
			return nil, c.fail(CloseProtocolError, err.Error())
		}
		if h.Length > c.limit || h.OpCode == ws.OpContinuation && int64(len(c.frag))+h.Length > c.limit {
			return nil, c.fail(CloseTooBig, fmt.Sprintf("a message may be at most %d bytes", c.limit))
		}
		size := int64(ws.HeaderSize(h))
		if int64(len(data)) < size+h.Length {
			return data, nil
		}
		payload := data[size : size+h.Length]
		data = data[size+h.Length:]
		ws.Cipher(payload, h.Mask, 0)
		if err := c.frame(h, payload, message); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// frame acts on one frame, unmasked.
func (c *Conn) frame(h ws.Header, payload []byte, message func(binary bool, data []byte)) error {
	switch h.OpCode {
	case ws.OpPing:
		c.wmu.Lock()
		defer c.wmu.Unlock()
		if !c.closeSent {
			_ = c.writeFrame(ws.OpPong, payload, 10*time.Second)
		}
		return nil
	case ws.OpPong:
		return nil
	case ws.OpClose:
		if len(payload) == 1 {
			return c.fail(CloseProtocolError, "a close frame's code is 2 bytes")
		}
		code, reason := ws.ParseCloseFrameData(payload)
		if len(payload) == 0 {
			_ = c.WriteClose(CloseNormal, "", 10*time.Second)
			return &CloseError{Code: 1005}
		}
		if err := ws.CheckCloseFrameData(code, reason); err != nil {
			return c.fail(CloseProtocolError, err.Error())
		}
		_ = c.WriteClose(int(code), "", 10*time.Second)
		return &CloseError{Code: int(code), Reason: reason}
	case ws.OpContinuation:
		c.frag = append(c.frag, payload...)
		if !h.Fin {
			return nil
		}
		data, op := c.frag, c.fragOp
		c.frag, c.fragged = nil, false
		return c.deliver(op, data, message)
	default: // text or binary
		if !h.Fin {
			c.frag, c.fragOp, c.fragged = bytes.Clone(payload), h.OpCode, true
			return nil
		}
		return c.deliver(h.OpCode, payload, message)
	}
}

// deliver passes a whole message on, unless the connection is closing.
func (c *Conn) deliver(op ws.OpCode, data []byte, message func(binary bool, data []byte)) error {
	if op == ws.OpText && !utf8.Valid(data) {
		return c.fail(CloseInvalidData, "a text message must be UTF-8")
	}
	c.wmu.Lock()
	closing := c.closeSent
	c.wmu.Unlock()
	if !closing {
		message(op == ws.OpBinary, data)
	}
	return nil
}

// fail closes the connection for what the peer did wrong.
func (c *Conn) fail(code int, reason string) error {
	_ = c.WriteClose(code, reason, 10*time.Second)
	return &CloseError{Code: code, Reason: reason}
}

// WriteText sends a text message within timeout (0: no bound).
func (c *Conn) WriteText(msg []byte, timeout time.Duration) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closeSent {
		return ErrClosed
	}
	return c.writeFrame(ws.OpText, msg, timeout)
}

// WriteClose sends the close frame (once; later calls do nothing): code,
// and reason cut to what a close frame holds.
func (c *Conn) WriteClose(code int, reason string, timeout time.Duration) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closeSent {
		return nil
	}
	c.closeSent = true
	return c.writeFrame(ws.OpClose, ws.NewCloseFrameBody(ws.StatusCode(code), cut(reason, ws.MaxControlFramePayloadSize-2)), timeout)
}

// Closing reports whether the close frame was sent.
func (c *Conn) Closing() bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.closeSent
}

// writeFrame writes one unfragmented frame in one write. c.wmu is held.
func (c *Conn) writeFrame(op ws.OpCode, payload []byte, timeout time.Duration) error {
	var hb [ws.MaxHeaderSize]byte
	w := bytes.NewBuffer(hb[:0])
	if err := ws.WriteHeader(w, ws.Header{Fin: true, OpCode: op, Length: int64(len(payload))}); err != nil {
		return err
	}
	if timeout > 0 {
		_ = c.nc.SetWriteDeadline(time.Now().Add(timeout))
	}
	bufs := net.Buffers{w.Bytes(), payload}
	_, err := bufs.WriteTo(c.nc)
	return err
}

// Close closes the connection at once (after the close handshake, or
// instead of it).
func (c *Conn) Close() error {
	if c.watch != nil {
		c.watch.Stop() // before the descriptor can be reused
	}
	return c.nc.Close()
}

// cut shortens s to at most n bytes, at a character's start.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
