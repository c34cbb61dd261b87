// Package wire is the error every phase of a request reports: an [Error]
// in the shape the GraphQL specification gives the entries of a
// response's "errors", with its code in extensions.code. It takes a
// message, a code and positions, and gives the JSON a client reads; the
// runtime's presenter decides the HTTP status.
package wire

import (
	"bytes"
	"context"
	"encoding/json"
)

// Error codes, in extensions.code of every error the server returns.
const (
	CodeParseFailed      = "GRAPHQL_PARSE_FAILED"
	CodeValidationFailed = "GRAPHQL_VALIDATION_FAILED"
	CodeBadUserInput     = "BAD_USER_INPUT"
	CodeBadRequest       = "BAD_REQUEST"
	// CodePersistedQueryNotFound answers a request that names a persisted
	// query by its hash alone (Apollo's and urql's automatic persisted
	// queries): the server keeps none, and those clients then send the
	// document.
	CodePersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"
	CodeUnauthenticated        = "UNAUTHENTICATED"
	CodeForbidden              = "FORBIDDEN"
	CodeInternal               = "INTERNAL_SERVER_ERROR"
	// CodeUnavailable: the database cannot be reached, a connection was
	// lost, no connection became free within the pool timeout, or the
	// server is shutting down; always 503 with Retry-After.
	CodeUnavailable = "SERVICE_UNAVAILABLE"
	// CodeTimeout: one statement ran into its statement_timeout (a field
	// error; the other fields are answered).
	CodeTimeout = "TIMEOUT"
	// CodeRequestTimeout: the whole request ran out of its time (504).
	CodeRequestTimeout = "REQUEST_TIMEOUT"
	// CodeRequestCanceled: the client went away; no one reads it, the
	// log line does.
	CodeRequestCanceled = "REQUEST_CANCELED"
	// CodeResponseTooLarge: the results are larger than the response limit.
	CodeResponseTooLarge = "RESPONSE_TOO_LARGE"
	// One code per limit (see Limits).
	CodeRequestTooLarge      = "REQUEST_TOO_LARGE"
	CodeDocumentTooLarge     = "DOCUMENT_TOO_LARGE"
	CodeDocumentTooDeep      = "DOCUMENT_TOO_DEEP"
	CodeTooManyTokens        = "TOO_MANY_TOKENS"
	CodeTooManyFields        = "TOO_MANY_FIELDS"
	CodeTooManyAliases       = "TOO_MANY_ALIASES"
	CodeTooManyRootFields    = "TOO_MANY_ROOT_FIELDS"
	CodeTooManyDirectives    = "TOO_MANY_DIRECTIVES"
	CodeCostTooHigh          = "COST_TOO_HIGH"
	CodePageTooLarge         = "PAGE_TOO_LARGE"
	CodeBatchingDisabled     = "BATCHING_DISABLED"
	CodeBatchTooLarge        = "BATCH_TOO_LARGE"
	CodeIntrospectionOff     = "INTROSPECTION_DISABLED"
	CodeCORSOriginNotAllowed = "CORS_ORIGIN_NOT_ALLOWED"
	CodeTooManyOperations    = "TOO_MANY_OPERATIONS"
	CodeTooManyConnections   = "TOO_MANY_CONNECTIONS"
)

// Error is one entry of a response's "errors", in the shape the GraphQL
// specification gives it.
type Error struct {
	Message   string     `json:"message"`
	Locations []Location `json:"locations,omitempty"`
	Path      []any      `json:"path,omitempty"`
	Code      string     `json:"-"`
	// Extensions beyond the code: a constraint name, a request id, a
	// SQLSTATE a function raised on purpose.
	Extra map[string]any `json:"-"`
	// Err is what the server knows of the cause, never shown to clients.
	Err error `json:"-"`
}

// Location is a line and column in the document, both 1-based.
type Location struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// MarshalJSON writes the error with "extensions" holding the code first.
func (e *Error) MarshalJSON() ([]byte, error) {
	type plain Error
	ext := map[string]any{"code": e.Code}
	for k, v := range e.Extra {
		ext[k] = v
	}
	return MarshalNoEscape(struct {
		*plain
		Extensions map[string]any `json:"extensions"`
	}{(*plain)(e), ext})
}

func (e *Error) Error() string { return e.Message }

func (e *Error) Unwrap() error { return e.Err }

// Locate adds a position in the document (when known).
func (e *Error) Locate(l Location) {
	if l.Line > 0 {
		e.Locations = append(e.Locations, l)
	}
}

// MarshalNoEscape encodes v as JSON without escaping <, > and &.
func MarshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// As returns err as an *Error, with code when it is not one already.
func As(err error, code string) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	return &Error{Message: err.Error(), Code: code}
}

type requestIDKey struct{}

// WithRequestID is ctx carrying the request id that errors and logs name.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID is the request id of ctx ("" when none).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
