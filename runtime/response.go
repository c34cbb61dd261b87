package runtime

import (
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
	mediaGraphQL = "application/graphql-response+json"
	mediaJSON    = "application/json"
)

// response is what one request answers: request errors (no data), or the
// data of the root fields with their field errors.
type response struct {
	media     string
	status    int
	header    http.Header
	errors    []*Error
	fields    []*rootField // nil: no "data" entry
	dataNull  bool
	operation string  // for the log
	arena     *[]byte // the fields' results, borrowed (see borrowBuffer)
}

// negotiate picks the response media type from Accept. A missing Accept,
// */* and application/* get application/graphql-response+json, as the
// GraphQL-over-HTTP specification asks of servers since 2025.
func negotiate(accept string) (string, bool) {
	if strings.TrimSpace(accept) == "" {
		return mediaGraphQL, true
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
		case mediaGraphQL, "*/*", "application/*":
			media = mediaGraphQL
		case mediaJSON:
			media = mediaJSON
		default:
			continue
		}
		if q == 0 {
			continue
		}
		if q > bestQ || q == bestQ && media == mediaGraphQL && best != mediaGraphQL {
			best, bestQ = media, q
		}
	}
	return best, best != ""
}

// requestFailure is a response with one request error and no data.
func requestFailure(media string, status int, code, message string) *response {
	return &response{media: media, status: status, errors: []*Error{{Message: message, Code: code}}}
}

// requestErrors ends the request before execution: 400 with
// application/graphql-response+json, 200 with legacy application/json.
func (r *response) requestErrors(errs ...*Error) *response {
	r.errors = errs
	r.status = http.StatusOK
	if r.media == mediaGraphQL {
		r.status = http.StatusBadRequest
	}
	return r
}

// executionFailure is a failure that reached no field: the database is
// unavailable, or the request's role may not be used.
func (r *response) executionFailure(e *Error) *response {
	r.errors = []*Error{e}
	switch e.Code {
	case CodeForbidden:
		r.status = http.StatusForbidden
	case CodeUnavailable:
		r.status = http.StatusServiceUnavailable
	case CodeTimeout:
		r.status = http.StatusGatewayTimeout
	default:
		r.status = http.StatusInternalServerError
	}
	return r
}

// data is the executed response: every root field's value, and its error.
func (r *response) data(fields []*rootField) *response {
	r.status = http.StatusOK
	r.fields = fields
	for _, f := range fields {
		if f.err != nil {
			r.errors = append(r.errors, f.err)
			r.dataNull = r.dataNull || f.nonNull
		} else if f.nonNull && f.stmt != nil && len(f.result) == 0 {
			r.dataNull = true
		}
	}
	return r
}

// write sends the response. The JSON each root field got from PostgreSQL
// is copied into the body as it is: never decoded, never re-encoded.
func (r *response) write(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	body := borrowBuffer()
	defer returnBuffer(body)
	b := bytes.NewBuffer(*body)
	size := 64 // braces, "data", a little slack
	for _, f := range r.fields {
		size += len(f.result) + len(f.key) + len(f.typename) + 8
	}
	b.Grow(size)                             // the results dominate: at most one allocation, not a doubling series
	defer func() { *body = b.Bytes()[:0] }() // keep what Grow allocated
	b.WriteByte('{')
	if len(r.errors) > 0 {
		b.WriteString(`"errors":`)
		errs, _ := marshalNoEscape(r.errors)
		b.Write(errs)
	}
	if r.fields != nil {
		if len(r.errors) > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"data":`)
		if r.dataNull {
			b.WriteString("null")
		} else {
			b.WriteByte('{')
			for i, f := range r.fields {
				if i > 0 {
					b.WriteByte(',')
				}
				key, _ := json.Marshal(f.key)
				b.Write(key)
				b.WriteByte(':')
				switch {
				case f.typename != "":
					name, _ := json.Marshal(f.typename)
					b.Write(name)
				case f.err != nil || len(f.result) == 0:
					b.WriteString("null")
				default:
					b.Write(f.result)
				}
			}
			b.WriteByte('}')
		}
	}
	b.WriteString("}\n")
	w.Header().Set("Content-Type", r.media+"; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(r.status)
	_, _ = w.Write(b.Bytes())
}

// marshalNoEscape encodes v as JSON without escaping <, > and &.
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// authFailure refuses a request whose credentials are not accepted: 401
// with a WWW-Authenticate challenge (RFC 6750), or 403.
func authFailure(media string, e *auth.Error) *response {
	if e.Status == http.StatusForbidden {
		return requestFailure(media, http.StatusForbidden, CodeForbidden, "Forbidden: "+e.Message+".")
	}
	out := requestFailure(media, http.StatusUnauthorized, CodeUnauthenticated, "Invalid token: "+e.Message+".")
	out.header = http.Header{"Www-Authenticate": {`Bearer error="invalid_token"`}}
	return out
}
