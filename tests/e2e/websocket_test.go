package e2e

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// SIGTERM ends the server's WebSockets with 1001 (what they run answered
// first: runtime's TestWebSocketGoingAway), and the server exits cleanly.
func TestWebSocketsGoAwayOnSIGTERM(t *testing.T) {
	s := startExample(t, "forum", "forum_example_gqlplan", "--default-role", "forum_example_anonymous", "--shutdown-timeout", "10s")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var conns []*websocket.Conn
	for range 3 {
		conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.url, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.CloseNow()
		if err := conn.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init"}`)); err != nil {
			t.Fatal(err)
		}
		if _, ack, err := conn.Read(ctx); err != nil || !strings.Contains(string(ack), "connection_ack") {
			t.Fatalf("%s %v", ack, err)
		}
		conns = append(conns, conn)
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	for i, conn := range conns {
		for {
			_, _, err := conn.Read(ctx)
			if err == nil {
				continue
			}
			var ce websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.StatusGoingAway {
				t.Errorf("socket %d ended with %v, want close 1001", i, err)
			}
			break
		}
	}
	s.waitExit(t, 20*time.Second, "SIGTERM")
	if s.err != nil {
		t.Errorf("serve exited with %v:\n%s", s.err, s.log)
	}
}
