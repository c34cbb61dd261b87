package transport

import (
	"github.com/gqlplan/gqlplan/runtime/internal/wire"

	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gqlplan/gqlplan/auth"
)

// Media types of GraphQL over HTTP.
const (
	MediaGraphQL = "application/graphql-response+json"
	MediaJSON    = "application/json"
)

// Response is what one request answers: request errors (no data), or the
// data of the root fields with their field errors.
type Response struct {
	Media  string
	Status int
	Header http.Header
	Errors []*wire.Error
	Data   []Entry // nil: no "data" entry
	// DataNull writes "data": null (a non-null root field failed).
	DataNull bool
	// Batch, when set, is the answers of a batch's requests, each a
	// response's JSON: written as an array, in place of all the above but
	// Media and Status.
	Batch [][]byte
}

// Entry is one key of "data" and its JSON value (nil: null).
type Entry struct {
	Key   string
	Value []byte
}

// AcceptsJSON reports whether accept allows a JSON response (either
// media type the server speaks; */* and application/* do).
func AcceptsJSON(accept string) bool {
	_, ok := negotiate(accept)
	return ok && strings.TrimSpace(accept) != ""
}

// negotiate picks the response media type from Accept. A missing Accept,
// */* and application/* get application/graphql-response+json, as the
// GraphQL-over-HTTP specification asks of servers since 2025.
func negotiate(accept string) (string, bool) {
	if strings.TrimSpace(accept) == "" {
		return MediaGraphQL, true
	}
	best, bestQ := "", 0.0
	for _, part := range strings.Split(accept, ",") {
		typ, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || v < 0 || v > 1 {
				continue
			}
			q = v
		}
		var media string
		switch typ {
		case MediaGraphQL, "*/*", "application/*":
			media = MediaGraphQL
		case MediaJSON:
			media = MediaJSON
		default:
			continue
		}
		if q == 0 {
			continue
		}
		if q > bestQ || q == bestQ && media == MediaGraphQL && best != MediaGraphQL {
			best, bestQ = media, q
		}
	}
	return best, best != ""
}

// requestFailure is a response with one request error and no data.
func Failure(media string, status int, code, message string) *Response {
	return &Response{Media: media, Status: status, Errors: []*wire.Error{{Message: message, Code: code}}}
}

// RequestErrors ends a request before execution: 400 with
// application/graphql-response+json, 200 with legacy application/json.
func RequestErrors(media string, errs ...*wire.Error) *Response {
	r := &Response{Media: media, Errors: errs, Status: http.StatusOK}
	if media == MediaGraphQL {
		r.Status = http.StatusBadRequest
	}
	return r
}

// ExecutionFailure is a failure that reached no field, one status per
// class: the database is unavailable or the server at capacity or
// stopping (503, with Retry-After), the request's time is up (504), the
// role may not be used (403), the response would be too large (as a
// request error: the client asked for too much), the client left (499,
// for the log: no one reads it).
func ExecutionFailure(media string, e *wire.Error) *Response {
	if e.Code == wire.CodeResponseTooLarge {
		return RequestErrors(media, e)
	}
	r := &Response{Media: media, Errors: []*wire.Error{e}}
	switch e.Code {
	case wire.CodeForbidden:
		r.Status = http.StatusForbidden
	case wire.CodeUnavailable:
		r.Status = http.StatusServiceUnavailable
		r.Header = http.Header{"Retry-After": {RetryAfter}}
	case wire.CodeRequestTimeout:
		r.Status = http.StatusGatewayTimeout
	case wire.CodeRequestCanceled:
		r.Status = StatusClientClosedRequest
	default:
		r.Status = http.StatusInternalServerError
	}
	return r
}

// RetryAfter is the Retry-After of every 503, in seconds: outages worth
// retrying (a restart, a full pool) pass in about that time, and a
// client retrying sooner only adds to the load.
const RetryAfter = "1"

// StatusClientClosedRequest is the status logged for a request whose
// client left before its answer (nginx's 499).
const StatusClientClosedRequest = 499

// Write sends the response. The JSON each root field got from PostgreSQL
// is written to the client as it is: never decoded, re-encoded or copied
// into a body buffer first (a large response would be in memory twice).
// The error is the connection's: the client did not read it in time, or
// left.
func (r *Response) Write(w http.ResponseWriter) error {
	for k, v := range r.Header {
		w.Header()[k] = v
	}
	if r.Batch != nil {
		return r.writeBatch(w)
	}
	head := BorrowBuffer()
	defer ReturnBuffer(head)
	// The frame around the values: "{", the errors, "data":{, and each
	// key; pieces holds where each value goes, in order.
	b := bytes.NewBuffer(*head)
	defer func() { *head = b.Bytes()[:0] }()
	type piece struct {
		frame int // end of the frame before the value, in b
		value []byte
	}
	var pieces []piece
	size := 0
	b.WriteByte('{')
	if len(r.Errors) > 0 {
		b.WriteString(`"errors":`)
		errs, _ := wire.MarshalNoEscape(r.Errors)
		b.Write(errs)
	}
	if r.Data != nil {
		if len(r.Errors) > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"data":`)
		if r.DataNull {
			b.WriteString("null")
		} else {
			b.WriteByte('{')
			for i, e := range r.Data {
				if i > 0 {
					b.WriteByte(',')
				}
				writeKey(b, e.Key)
				b.WriteByte(':')
				if len(e.Value) == 0 {
					b.WriteString("null")
				} else {
					pieces = append(pieces, piece{b.Len(), e.Value})
					size += len(e.Value)
				}
			}
			b.WriteByte('}')
		}
	}
	b.WriteString("}\n")
	frame := b.Bytes()
	h := w.Header()
	h["Content-Type"] = contentType(r.Media)
	h["Content-Length"] = []string{strconv.Itoa(len(frame) + size)}
	w.WriteHeader(r.Status)
	at := 0
	for _, p := range pieces {
		if _, err := w.Write(frame[at:p.frame]); err != nil {
			return err
		}
		if _, err := w.Write(p.value); err != nil {
			return err
		}
		at = p.frame
	}
	_, err := w.Write(frame[at:])
	return err
}

// writeBatch writes a batch's answers as a JSON array.
func (r *Response) writeBatch(w http.ResponseWriter) error {
	size := 2 + len(r.Batch) // [ ] and the commas, and the newline
	for _, b := range r.Batch {
		size += len(b)
	}
	h := w.Header()
	h["Content-Type"] = contentType(r.Media)
	h["Content-Length"] = []string{strconv.Itoa(size)}
	w.WriteHeader(r.Status)
	out := make([]byte, 0, size)
	out = append(out, '[')
	for i, b := range r.Batch {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, b...)
	}
	out = append(out, "]\n"...)
	_, err := w.Write(out)
	return err
}

// contentType is the Content-Type header of a response in media: the
// values of the two media types the server speaks are made once, not per
// response. A header value slice of length and capacity one is safe to
// share: Header.Add appends to a copy.
func contentType(media string) []string {
	switch media {
	case MediaGraphQL:
		return contentTypeGraphQL
	case MediaJSON:
		return contentTypeJSON
	}
	return []string{media + "; charset=utf-8"}
}

var (
	contentTypeGraphQL = []string{MediaGraphQL + "; charset=utf-8"}
	contentTypeJSON    = []string{MediaJSON + "; charset=utf-8"}
)

// writeKey writes a response key as a JSON string. A key is a GraphQL
// name ([_A-Za-z][_0-9A-Za-z]*), which needs no escaping; anything else
// goes through encoding/json.
func writeKey(b *bytes.Buffer, key string) {
	for i := 0; i < len(key); i++ {
		if c := key[i]; !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			quoted, _ := json.Marshal(key)
			b.Write(quoted)
			return
		}
	}
	b.WriteByte('"')
	b.WriteString(key)
	b.WriteByte('"')
}

// Unauthenticated refuses a request without credentials whose operation
// only a token opens: 401 with a Bearer challenge (RFC 6750, which gives
// no error code when the request carried no token).
func Unauthenticated(media string, errs ...*wire.Error) *Response {
	return &Response{Media: media, Errors: errs, Status: http.StatusUnauthorized, Header: http.Header{"Www-Authenticate": {"Bearer"}}}
}

// AuthFailure refuses a request whose credentials are not accepted: 401
// with a WWW-Authenticate challenge (RFC 6750), or 403.
func AuthFailure(media string, e *auth.Error) *Response {
	if e.Status == http.StatusForbidden {
		return Failure(media, http.StatusForbidden, wire.CodeForbidden, "Forbidden: "+e.Message+".")
	}
	out := Failure(media, http.StatusUnauthorized, wire.CodeUnauthenticated, "Invalid token: "+e.Message+".")
	out.Header = http.Header{"Www-Authenticate": {`Bearer error="invalid_token"`}}
	return out
}

// Body is the response's JSON alone, for a transport that frames it
// itself (a WebSocket's next message).
func (r *Response) Body() []byte {
	var w bodyWriter
	_ = r.Write(&w)
	return bytes.TrimSuffix(w.body.Bytes(), []byte("\n"))
}

// bodyWriter keeps what Write sends, for Body.
type bodyWriter struct {
	header http.Header
	body   bytes.Buffer
}

func (w *bodyWriter) Header() http.Header {
	if w.header == nil {
		w.header = http.Header{}
	}
	return w.header
}

func (w *bodyWriter) Write(p []byte) (int, error) { return w.body.Write(p) }

func (w *bodyWriter) WriteHeader(int) {}
