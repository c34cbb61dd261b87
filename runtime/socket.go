package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/runtime/internal/deadline"
	"github.com/gqlplan/gqlplan/runtime/internal/pgexec"
	"github.com/gqlplan/gqlplan/runtime/internal/transport"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/runtime/internal/wsconn"
	"github.com/gqlplan/gqlplan/runtime/internal/wsproto"
)

// GraphQL over WebSocket: /graphql upgraded with the subprotocol
// graphql-transport-ws (the graphql-ws library's). The client sends
// connection_init — its payload's Authorization ("Bearer …"), else the
// upgrade request's, is the token, verified once — and then subscribe
// messages, each a GraphQL request run as one over HTTP would be, answered
// by next and complete (or error); a subscription by next whenever its
// result changed (see live.go), until completed. What the protocol says
// of a bad client, the server does: 4400 for a message it does not
// allow, 4401 for subscribe before the ack, 4403 for refused credentials
// (or a token that expired), 4408 for no connection_init in time, 4409
// for an id already running, 4429 for a second connection_init.

// running is an operation a socket runs: stop cancels it; live is set
// once it turned out a subscription, which runs until stopped.
type running struct {
	stop context.CancelFunc
	live bool
}

// isWebSocket reports whether req asks to upgrade to a WebSocket.
func isWebSocket(req *http.Request) bool {
	return strings.EqualFold(req.Header.Get("Upgrade"), "websocket")
}

// closeWait is how long a socket that sent its close frame waits for the
// client's before it closes the connection regardless.
const closeWait = 5 * time.Second

// socket is one client's WebSocket connection. No goroutine waits on it
// while it is idle: its messages are read when they arrive (readable, by
// wsconn's poller), its writer runs while messages wait, and its
// subscriptions wait in their groups.
type socket struct {
	h      *Handler
	conn   *wsconn.Conn
	header string // the upgrade request's Authorization
	out    outbox
	ctx    context.Context // ends when the socket closes
	cancel context.CancelFunc

	closeOnce, endOnce sync.Once
	// closeTimer is set with the close frame: the client's answer is
	// awaited until it fires.
	closeTimer atomic.Pointer[time.Timer]

	mu        sync.Mutex
	inits     int
	acked     bool
	initTimer *time.Timer // connection_init's timeout
	draining  bool        // the server is going away: no new operations
	who       auth.Identity
	ops       map[string]*running // the operations running, by id
	wg        sync.WaitGroup
}

// serveSocket upgrades req to a WebSocket and returns: the socket is
// served from then on without the request's goroutine. It reports
// whether the socket took the connection's place among the
// Limits.MaxConnections (it gives it back when it ends).
func (h *Handler) serveSocket(w http.ResponseWriter, req *http.Request) bool {
	if reason, ok := h.originAllowed(req); !ok {
		http.Error(w, reason, http.StatusForbidden)
		return false
	}
	conn, err := wsconn.Upgrade(w, req, wsproto.Subprotocol)
	if err != nil {
		return false // answered, and closed
	}
	conn.SetReadLimit(h.cfg.Limits.MaxBodyBytes)
	ctx, cancel := context.WithCancel(context.Background())
	if h.replicas != nil { // its reads see its writes, and those its upgrade's token names
		ctx = withReadAfter(ctx, h.readAfterRequest(req))
	}
	s := &socket{h: h, conn: conn, header: req.Header.Get("Authorization"), ctx: ctx, cancel: cancel,
		ops: map[string]*running{}}
	h.sockets.Store(s, struct{}{})
	conn.Serve(s.readable)
	if conn.Protocol() != wsproto.Subprotocol {
		s.close(wsproto.CloseSubprotocolNotAccepted, "Subprotocol not acceptable")
		return true
	}
	s.mu.Lock()
	s.initTimer = time.AfterFunc(h.cfg.Limits.ConnectionInitTimeout, func() {
		s.mu.Lock()
		acked := s.acked
		s.mu.Unlock()
		if !acked {
			s.close(wsproto.CloseInitTimeout, "Connection initialisation timeout")
		}
	})
	s.mu.Unlock()
	return true
}

// originAllowed checks a browser's Origin as the CORS origins say: its
// host is the request's, or one of theirs ("*": any). A client that is
// not a browser sends none.
func (h *Handler) originAllowed(req *http.Request) (string, bool) {
	origin := req.Header.Get("Origin")
	if origin == "" {
		return "", true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return "The Origin is not a URL with a host.", false
	}
	if strings.EqualFold(u.Host, req.Host) {
		return "", true
	}
	for _, o := range h.cfg.CORSOrigins {
		if o == "*" {
			return "", true
		}
		if _, host, _ := strings.Cut(o, "://"); strings.EqualFold(host, u.Host) {
			return "", true
		}
	}
	return "This origin may not open a WebSocket here.", false
}

// close sends the close frame (once) and ends the socket's operations;
// the connection closes when the client answers, or after closeWait. It
// does not wait for the close handshake: it may be called while a group
// hands out a result.
func (s *socket) close(code int, reason string) {
	s.closeOnce.Do(func() {
		_ = s.conn.WriteClose(code, reason, s.h.cfg.Limits.WriteTimeout)
		s.cancel()
		s.closeTimer.Store(time.AfterFunc(closeWait, s.end))
	})
}

// readable reads the messages that arrived and acts on them; when the
// connection ended it ends the socket, else it waits for the next.
func (s *socket) readable() {
	if err := s.conn.Read(s.message); err != nil {
		s.end()
		return
	}
	s.conn.Wait()
}

// message acts on one message of the client.
func (s *socket) message(binary bool, data []byte) {
	if binary {
		s.close(wsproto.CloseBadRequest, "Messages are JSON text")
		return
	}
	m, err := wsproto.Decode(data)
	if err != nil {
		s.close(wsproto.CloseBadRequest, strings.TrimPrefix(err.Error(), wsproto.ErrInvalid.Error()+": "))
		return
	}
	s.handle(m)
}

// end closes the socket for good: its operations stopped and answered,
// the connection closed, its place among the connections given back.
func (s *socket) end() {
	s.endOnce.Do(func() {
		s.cancel()
		s.mu.Lock()
		for _, op := range s.ops {
			op.stop()
		}
		if s.initTimer != nil {
			s.initTimer.Stop()
		}
		s.mu.Unlock()
		if t := s.closeTimer.Load(); t != nil {
			t.Stop()
		}
		s.wg.Wait()
		_ = s.conn.WriteClose(wsconn.CloseNormal, "", s.h.cfg.Limits.WriteTimeout) // unless sent
		_ = s.conn.Close()
		s.h.sockets.Delete(s)
		s.h.streaming.Add(-1)
	})
}

// GoingAway ends every WebSocket as the server stops: each answers the
// operations it runs, then closes with 1001; one sent meanwhile is
// refused (SERVICE_UNAVAILABLE). It returns once all are closed, or when
// ctx ends.
func (h *Handler) GoingAway(ctx context.Context) {
	h.awayOnce.Do(func() { close(h.away) }) // event streams complete
	// Every socket refuses new operations before any closes.
	var idle []*socket
	h.sockets.Range(func(k, _ any) bool {
		if s := k.(*socket); s.drain() {
			idle = append(idle, s)
		}
		return true
	})
	for _, s := range idle {
		s.goneAway()
	}
	for ctx.Err() == nil {
		open := false
		h.sockets.Range(func(any, any) bool { open = true; return false })
		if !open {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// drain refuses the socket's new operations; the last one it runs closes
// it. It reports whether none runs: then the caller closes it.
func (s *socket) drain() (idle bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.draining = true
	for _, op := range s.ops {
		if op.live { // a subscription has no end of its own: it is completed
			op.stop()
		}
	}
	return len(s.ops) == 0
}

// goneAway closes the socket with 1001 once the messages queued before
// are written.
func (s *socket) goneAway() {
	s.out.mu.Lock()
	s.out.away = true
	s.startWriter()
	s.out.mu.Unlock()
}

// handle acts on one message.
func (s *socket) handle(m wsproto.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch m.Type {
	case wsproto.ConnectionInit:
		if s.inits++; s.inits > 1 {
			s.close(wsproto.CloseTooManyInits, "Too many initialisation requests")
			return
		}
		who, denied := s.h.auth.Verify(s.ctx, s.authorization(m.Payload))
		if denied != nil {
			s.close(wsproto.CloseForbidden, "Forbidden: "+denied.Message)
			return
		}
		s.who, s.acked = who, true
		s.queue(wsproto.Encode(wsproto.ConnectionAck, "", nil))
	case wsproto.Ping:
		s.queue(wsproto.Encode(wsproto.Pong, "", nil))
	case wsproto.Pong:
	case wsproto.Subscribe:
		switch {
		case !s.acked:
			s.close(wsproto.CloseUnauthorized, "Unauthorized")
			return
		case s.ops[m.ID] != nil:
			s.close(wsproto.CloseSubscriberExists, "Subscriber for "+m.ID+" already exists")
			return
		case expired(s.who, time.Now()):
			s.close(wsproto.CloseForbidden, "Forbidden: the token expired")
			return
		case s.draining:
			s.queueErrors(m.ID, &Error{Message: "The server is shutting down; retry on a new connection.", Code: CodeUnavailable})
			return
		case len(s.ops) >= s.h.cfg.Limits.SocketOperations:
			s.queueErrors(m.ID, &Error{Message: fmt.Sprintf("This connection already runs %d operations, the most it may.", len(s.ops)), Code: CodeTooManyOperations})
			return
		}
		ctx, stop := context.WithCancel(s.ctx)
		op := &running{stop: stop}
		s.ops[m.ID] = op
		s.wg.Add(1)
		go s.run(ctx, op, m)
	case wsproto.Complete:
		if op := s.ops[m.ID]; op != nil {
			op.stop()
			delete(s.ops, m.ID)
		}
	}
}

// authorization is the credentials of connection_init's payload — its
// Authorization (or authorization) string, as a header's value — or
// else the upgrade request's header.
func (s *socket) authorization(payload json.RawMessage) string {
	var p map[string]any
	_ = json.Unmarshal(payload, &p)
	for _, key := range []string{"Authorization", "authorization"} {
		if v, ok := p[key].(string); ok {
			return v
		}
	}
	return s.header
}

// expired reports whether who's token carries an exp that has passed.
func expired(who auth.Identity, now time.Time) bool {
	at, ok := expiresAt(who)
	return ok && now.After(at)
}

// run answers one subscribe: its request run as over HTTP, within the
// request timeout; next and complete, or error. A subscription then joins
// the group of the subscribers reading the same (see live.go), whose
// reads hand it each result that differs from its last, until the client
// completes it, its token expires (4403) or the server goes away. Nothing
// is sent for an operation the client completed meanwhile. A
// subscription holds no goroutine while it waits: what ends it runs on
// its context's end and its token's expiry.
func (s *socket) run(ctx context.Context, op *running, m wsproto.Message) {
	params := &transport.Request{Query: m.Subscribe.Query, OperationName: m.Subscribe.OperationName,
		Variables: m.Subscribe.Variables, Media: transport.MediaJSON, Method: http.MethodPost, Streamed: true,
		DocumentID: transport.DocumentID(map[string]any{"documentId": m.Subscribe.DocumentID}, m.Subscribe.Extensions)}
	s.mu.Lock()
	who := s.who
	s.mu.Unlock()
	h := s.h.current.Load() // the newest plan's, after a reload
	since := h.live.changes.Load()
	out, body := h.answerOnce(ctx, params, who)
	s.mu.Lock()
	subscribed := s.ops[m.ID] == op && s.ctx.Err() == nil && out.live && out.Data != nil && !s.draining
	switch {
	case s.ops[m.ID] != op || s.ctx.Err() != nil:
		// completed by the client (its id may be another's now), or the socket is gone
	case out.Data == nil: // request errors: the operation did not run
		s.queueErrors(m.ID, out.Errors...)
	case !out.live:
		s.queue(wsproto.Encode(wsproto.Next, m.ID, body))
		s.queue(wsproto.Encode(wsproto.Complete, m.ID, nil))
	default:
		s.queue(wsproto.Encode(wsproto.Next, m.ID, body))
		op.live = true
	}
	if !subscribed {
		s.finish(m.ID, op)
		s.mu.Unlock()
		op.stop()
		s.wg.Done()
		return
	}
	s.mu.Unlock()
	id := m.ID
	leave := h.join(params, who, body, out.watch, since, out.batch, func(body []byte) {
		if s.out.slow.Load() {
			return // closing: not even encoded
		}
		s.mu.Lock()
		if s.ops[id] == op {
			s.queue(wsproto.Encode(wsproto.Next, id, body))
		}
		s.mu.Unlock()
	})
	stopExpiry := func() bool { return false }
	if at, ok := expiresAt(who); ok {
		stopExpiry = time.AfterFunc(time.Until(at), func() { s.close(wsproto.CloseForbidden, "Forbidden: the token expired") }).Stop
	}
	context.AfterFunc(ctx, func() { // completed, the socket gone, or the server going away (then it ends it)
		leave()
		stopExpiry()
		s.mu.Lock()
		if s.ops[id] == op && s.draining {
			s.queue(wsproto.Encode(wsproto.Complete, id, nil))
			s.finish(id, op)
		}
		s.mu.Unlock()
		s.wg.Done()
	})
}

// answerOnce runs a request of who once, within the request timeout: the
// outcome, and its JSON.
func (h *Handler) answerOnce(ctx context.Context, params *transport.Request, who auth.Identity) (outcome, []byte) {
	start := time.Now()
	ctx = wire.WithRequestID(ctx, newRequestID())
	if t := h.cfg.Limits.RequestTimeout; t > 0 {
		var cancel context.CancelFunc
		ctx, cancel = deadline.WithTimeoutCause(ctx, t, pgexec.RequestTimeout{After: t})
		defer cancel()
	}
	out := h.answer(ctx, params, who, nil)
	body := out.Body()
	transport.ReturnBuffer(out.arena)
	h.logRequest(ctx, "WS", out, nil, time.Since(start))
	return out, body
}

// finish forgets operation id, done; the last one of a socket that goes
// away closes it. s.mu is held.
func (s *socket) finish(id string, op *running) {
	if s.ops[id] == op {
		delete(s.ops, id)
	}
	if s.draining && len(s.ops) == 0 {
		s.goneAway()
	}
}

// queueErrors sends an error message: the request errors of operation id.
func (s *socket) queueErrors(id string, errs ...*Error) {
	payload, _ := wire.MarshalNoEscape(errs)
	s.queue(wsproto.Encode(wsproto.Error, id, payload))
}

// outbox is a socket's messages waiting to be written. A writer runs
// only while there are some: an idle socket (a subscriber waiting for a
// change) holds no goroutine for writing, nor a queue's buffer.
type outbox struct {
	mu      sync.Mutex
	msgs    [][]byte
	writing bool // a writer runs
	away    bool // close with 1001 once msgs are written
	// slow: the client does not take its messages, and the socket is
	// closing; nothing more is queued (or encoded).
	slow atomic.Bool
}

// queue hands a message to the writer; a client that lets its queue fill
// (it does not read) is closed, so a socket's memory stays bounded.
func (s *socket) queue(msg []byte) {
	s.out.mu.Lock()
	defer s.out.mu.Unlock()
	if s.out.slow.Load() {
		return
	}
	if len(s.out.msgs) >= s.h.cfg.Limits.SocketQueue {
		s.closeSlow("its queue is full")
		return
	}
	s.out.msgs = append(s.out.msgs, msg)
	s.startWriter()
}

// startWriter starts the writer unless it runs. s.out.mu is held.
func (s *socket) startWriter() {
	if !s.out.writing {
		s.out.writing = true
		go s.write()
	}
}

// closeSlow closes the socket of a client that does not take its
// messages, saying so in the log. It does not wait for the close
// handshake: it may be called while a group hands out a result.
func (s *socket) closeSlow(why string) {
	if s.out.slow.Swap(true) {
		return // said and done
	}
	s.h.log.Warn("closing a WebSocket: the client does not read its messages", "why", why)
	go s.close(wsconn.ClosePolicy, "The client does not read its messages")
}

// write sends the queued messages, each within the write timeout, until
// none is left (then the socket closes when it is going away).
func (s *socket) write() {
	for s.ctx.Err() == nil {
		s.out.mu.Lock()
		if len(s.out.msgs) == 0 {
			s.out.writing = false
			away := s.out.away
			s.out.msgs = nil // the emptied queue's array goes too
			s.out.mu.Unlock()
			if away {
				s.close(wsproto.CloseGoingAway, "The server is going away")
			}
			return
		}
		msg := s.out.msgs[0]
		s.out.msgs[0] = nil // written, it is the writer's alone
		s.out.msgs = s.out.msgs[1:]
		s.out.mu.Unlock()
		if err := s.conn.WriteText(msg, s.h.cfg.Limits.WriteTimeout); err != nil {
			if s.ctx.Err() == nil {
				s.closeSlow("a write did not finish within the write timeout")
			}
			return
		}
	}
}
