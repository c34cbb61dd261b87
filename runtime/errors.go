package runtime

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
	CodeUnavailable            = "SERVICE_UNAVAILABLE"
	CodeTimeout                = "TIMEOUT"
	// One code per limit (see Limits).
	CodeRequestTooLarge      = "REQUEST_TOO_LARGE"
	CodeDocumentTooLarge     = "DOCUMENT_TOO_LARGE"
	CodeDocumentTooDeep      = "DOCUMENT_TOO_DEEP"
	CodeTooManyTokens        = "TOO_MANY_TOKENS"
	CodeTooManyFields        = "TOO_MANY_FIELDS"
	CodeTooManyAliases       = "TOO_MANY_ALIASES"
	CodeTooManyRootFields    = "TOO_MANY_ROOT_FIELDS"
	CodeTooManyDirectives    = "TOO_MANY_DIRECTIVES"
	CodePageTooLarge         = "PAGE_TOO_LARGE"
	CodeBatchingDisabled     = "BATCHING_DISABLED"
	CodeIntrospectionOff     = "INTROSPECTION_DISABLED"
	CodeCORSOriginNotAllowed = "CORS_ORIGIN_NOT_ALLOWED"
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
	return marshalNoEscape(struct {
		*plain
		Extensions map[string]any `json:"extensions"`
	}{(*plain)(e), ext})
}

func (e *Error) Error() string { return e.Message }

// locate adds a position in the document (when known).
func (e *Error) locate(l Location) {
	if l.Line > 0 {
		e.Locations = append(e.Locations, l)
	}
}
