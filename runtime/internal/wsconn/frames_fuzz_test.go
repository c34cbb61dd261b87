package wsconn

import (
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"testing"

	"github.com/gobwas/ws"
)

// decodeAll feeds data to a connection's frame decoder in pieces of at
// most step bytes, as reads would bring it: the messages passed on, and
// the close code it ended with (0: none).
func decodeAll(t *testing.T, data []byte, step int) ([]string, int) {
	server, client := net.Pipe()
	defer server.Close()
	defer client.Close()
	go func() { _, _ = io.Copy(io.Discard, client) }() // pongs and closes
	c := &Conn{nc: server, limit: 1 << 12}
	var got []string
	message := func(binary bool, data []byte) { got = append(got, fmt.Sprint(binary, string(data))) }
	for len(data) > 0 {
		n := min(step, len(data))
		in := append(c.in, data[:n]...)
		data = data[n:]
		rest, err := c.frames(in, message)
		if err != nil {
			var ce *CloseError
			if !errors.As(err, &ce) {
				t.Fatalf("not a close: %v", err)
			}
			return got, ce.Code
		}
		c.keep(rest)
	}
	return got, 0
}

// FuzzFrames: whatever a client sends, the decoder ends cleanly or with a
// close code, and how the bytes were cut into reads changes nothing.
func FuzzFrames(f *testing.F) {
	for _, fr := range []ws.Frame{
		ws.NewTextFrame([]byte(`{"type":"connection_init"}`)),
		ws.NewFrame(ws.OpText, false, []byte("ab")),
		ws.NewFrame(ws.OpContinuation, true, []byte("c")),
		ws.NewPingFrame([]byte("p")),
		ws.NewCloseFrame(ws.NewCloseFrameBody(1000, "")),
		ws.NewBinaryFrame(make([]byte, 300)),
	} {
		b, _ := ws.CompileFrame(ws.MaskFrame(fr))
		f.Add(b, uint8(1))
		f.Add(append(b, b...), uint8(7))
	}
	f.Fuzz(func(t *testing.T, data []byte, step uint8) {
		whole, code := decodeAll(t, data, len(data)+1)
		cut, cutCode := decodeAll(t, data, int(step%32)+1)
		if !reflect.DeepEqual(whole, cut) || code != cutCode {
			t.Fatalf("at once: %q %d; in pieces of %d: %q %d", whole, code, step%32+1, cut, cutCode)
		}
	})
}
