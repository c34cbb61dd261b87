package runtime

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gqlplan/gqlplan/runtime/internal/transport"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
)

// GraphQL over Server-Sent Events, graphql-sse's distinct connections
// mode: a request (GET or POST, as over HTTP) whose Accept asks for
// text/event-stream is answered as a stream of "next" events — one for a
// query or mutation, then "complete"; for a subscription its result, then
// its result again whenever it changed (shared as over WebSocket, see
// live.go), until the client disconnects, its token expires or the server
// goes away ("complete" then). A request that does not run (bad
// credentials, a document that does not validate) is answered as over
// HTTP, with its status and errors.

// isEventStream reports whether req asks for an event stream, and only
// for one: graphql-sse's client sends Accept: text/event-stream, where
// urql lists it after the JSON types, for a response it reads as JSON.
func isEventStream(req *http.Request) bool {
	accept := req.Header.Get("Accept")
	return strings.Contains(accept, "text/event-stream") && !transport.AcceptsJSON(accept)
}

func (h *Handler) serveEvents(w http.ResponseWriter, req *http.Request) {
	ctx := wire.WithRequestID(req.Context(), newRequestID())
	if h.replicas != nil {
		ctx = withReadAfter(ctx, h.readAfterRequest(req))
	}
	w.Header().Set("X-Request-Id", wire.RequestID(ctx))
	if h.cors(w, req) {
		return
	}
	// The parameters are read as over HTTP, the errors answered in JSON.
	asJSON := req.Clone(ctx)
	asJSON.Header.Set("Accept", transport.MediaJSON)
	params, _, refused := transport.Read(asJSON, h.cfg.Limits.MaxBodyBytes, 0)
	if refused != nil {
		_ = refused.Write(w)
		return
	}
	who, denied := h.auth.Verify(ctx, req.Header.Get("Authorization"))
	if denied != nil {
		_ = transport.AuthFailure(params.Media, denied).Write(w)
		return
	}
	params.Streamed = true
	since := h.live.changes.Load()
	out, body := h.answerOnce(ctx, params, who)
	if out.Data == nil {
		_ = out.Write(w) // errors only: nothing of the borrowed buffer
		return
	}
	// A stream lives as long as the subscription: no write deadline.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream; charset=utf-8")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Accel-Buffering", "no") // proxies pass each event on
	w.WriteHeader(http.StatusOK)
	if !event(w, "next", body) || !out.live {
		event(w, "complete", nil)
		return
	}
	deliver, updates := newestOnly()
	defer h.join(params, who, body, out.watch, since, out.batch, deliver)()
	var expires <-chan time.Time
	if at, ok := expiresAt(who); ok {
		t := time.NewTimer(time.Until(at))
		defer t.Stop()
		expires = t.C
	}
	for {
		select {
		case body := <-updates:
			if !event(w, "next", body) {
				return
			}
		case <-ctx.Done():
			return // the client went away
		case <-h.away:
			event(w, "complete", nil)
			return
		case <-expires:
			event(w, "complete", nil)
			return
		}
	}
}

// event writes one event and flushes it; false: the client is gone. Each
// line of data is a "data:" line (PostgreSQL's JSON has line breaks
// between a list's items; the client joins the lines again).
func event(w http.ResponseWriter, name string, data []byte) bool {
	var b bytes.Buffer
	b.WriteString("event: " + name + "\n")
	for _, line := range bytes.Split(data, []byte("\n")) {
		b.WriteString("data: ")
		b.Write(line)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	if _, err := w.Write(b.Bytes()); err != nil {
		return false
	}
	return http.NewResponseController(w).Flush() == nil
}

// tooManyConnections refuses a WebSocket or an event stream past
// Limits.MaxConnections: 503, to be tried again shortly.
func tooManyConnections(w http.ResponseWriter, most int) {
	r := transport.Failure(transport.MediaJSON, http.StatusServiceUnavailable, CodeTooManyConnections,
		fmt.Sprintf("The server has %d WebSockets and event streams open, the most it may; retry shortly.", most))
	r.Header = http.Header{"Retry-After": {transport.RetryAfter}}
	_ = r.Write(w)
}
