package runtime

import (
	"time"

	"github.com/gqlplan/gqlplan/runtime/internal/document"
	"github.com/gqlplan/gqlplan/runtime/internal/sqlgen"
)

// Limits bound what a request may cost. Each has its own error code, so a
// client (and a dashboard) can tell which one it hit. A zero field takes
// its default from DefaultLimits.
//
// The text limits are checked on the raw text in one linear scan, before
// the parser runs, so a hostile document costs no more than its length;
// the expanded size and depth are checked before validation, because
// fields are collected with their fragments expanded.
type Limits struct {
	MaxBodyBytes     int64 // request body (REQUEST_TOO_LARGE)
	MaxDocumentBytes int   // the query text (DOCUMENT_TOO_LARGE)
	// MaxDepth bounds the nesting of { [ ( in the text, and of selections
	// once fragments are expanded (DOCUMENT_TOO_DEEP).
	MaxDepth  int
	MaxTokens int // lexical tokens in the document (TOO_MANY_TOKENS)
	// MaxSelections bounds the fields of a document with every fragment
	// spread expanded, which stops fragment "bombs" (each fragment
	// spreading the next twice) before validation multiplies them
	// (TOO_MANY_FIELDS).
	MaxSelections int
	MaxAliases    int // aliased fields in the text (TOO_MANY_ALIASES)
	MaxRootFields int // root fields of the operation run (TOO_MANY_ROOT_FIELDS)
	MaxDirectives int // directives in the text (TOO_MANY_DIRECTIVES)
	// MaxPageSize caps first, last and limit whatever the declarations
	// allow (PAGE_TOO_LARGE).
	MaxPageSize int64
	// MaxCost bounds what one operation may return, before any SQL: each
	// selected field counts one, times the page sizes of the lists it is
	// nested in (COST_TOO_HIGH). Negative: no bound.
	MaxCost int64
	// MaxBatch is the most requests a batch — a POST whose body is a JSON
	// array of requests — may hold (BATCH_TOO_LARGE); each runs as a
	// request of its own, in order, within one request timeout, their
	// costs adding up to at most MaxCost. Zero: batches are refused
	// (BATCHING_DISABLED).
	MaxBatch int
	// MaxResponseBytes bounds the results of one request, checked while
	// they are read from PostgreSQL: a root field's value larger than
	// this is refused before it is read (the connection is closed under
	// it), and so are results adding up to more (RESPONSE_TOO_LARGE).
	MaxResponseBytes int64
	// StatementTimeout is the statement_timeout of every request's
	// transaction (SET LOCAL); a role's own ALTER ROLE … SET
	// statement_timeout overrides it (a field error, TIMEOUT). Negative:
	// the server's.
	StatementTimeout time.Duration
	// RequestTimeout bounds a whole request: waiting for a connection and
	// every statement; then its statements are canceled in PostgreSQL
	// (504 REQUEST_TIMEOUT). Negative: no bound.
	RequestTimeout time.Duration
	// PoolTimeout bounds the wait for a free connection of the pool (503
	// SERVICE_UNAVAILABLE with Retry-After).
	PoolTimeout time.Duration
	// WriteTimeout is how long a client has to read its response once it
	// is ready; then the connection is closed and its buffers freed.
	WriteTimeout time.Duration
	// DocumentCache is how many distinct parsed and validated documents are kept.
	DocumentCache int
	// ConnectionInitTimeout is how long a WebSocket client has to send
	// connection_init (then 4408).
	ConnectionInitTimeout time.Duration
	// MaxConnections bounds the WebSockets and event streams open at
	// once; one more is refused with 503 (TOO_MANY_CONNECTIONS).
	MaxConnections int
	// SocketOperations bounds the operations one WebSocket runs at once
	// (TOO_MANY_OPERATIONS for one more).
	SocketOperations int
	// SocketQueue bounds the messages waiting for a WebSocket client to
	// read them; a client that lets it fill is closed (1008).
	SocketQueue int
	// SubscriptionPoll is how often a subscription is read again even
	// without a notified change to its tables (see [Handler.Listen]), its
	// result sent when it changed: the safety net for changes no trigger
	// tells of. Negative: never.
	SubscriptionPoll time.Duration
}

// DefaultLimits are the limits of fields left zero.
var DefaultLimits = Limits{
	MaxBodyBytes:     1 << 20,
	MaxDocumentBytes: 100 << 10,
	MaxDepth:         32,
	MaxTokens:        15000,
	MaxSelections:    5000,
	MaxAliases:       100,
	MaxRootFields:    32,
	MaxDirectives:    50,
	MaxPageSize:      1000,
	MaxCost:          100000,
	MaxResponseBytes: 16 << 20,
	StatementTimeout: 20 * time.Second,
	RequestTimeout:   30 * time.Second,
	PoolTimeout:      3 * time.Second,
	WriteTimeout:     15 * time.Second,
	DocumentCache:    1000,

	ConnectionInitTimeout: 3 * time.Second,
	MaxConnections:        10000,
	SocketOperations:      100,
	SocketQueue:           64,
	SubscriptionPoll:      10 * time.Second,
}

// withDefaults fills the zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	or := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	or(&l.MaxDocumentBytes, d.MaxDocumentBytes)
	or(&l.MaxDepth, d.MaxDepth)
	or(&l.MaxTokens, d.MaxTokens)
	or(&l.MaxSelections, d.MaxSelections)
	or(&l.MaxAliases, d.MaxAliases)
	or(&l.MaxRootFields, d.MaxRootFields)
	or(&l.MaxDirectives, d.MaxDirectives)
	or(&l.DocumentCache, d.DocumentCache)
	or(&l.SocketOperations, d.SocketOperations)
	or(&l.MaxConnections, d.MaxConnections)
	or(&l.SocketQueue, d.SocketQueue)
	if l.ConnectionInitTimeout <= 0 {
		l.ConnectionInitTimeout = d.ConnectionInitTimeout
	}
	if l.SubscriptionPoll == 0 {
		l.SubscriptionPoll = d.SubscriptionPoll
	}
	if l.MaxBodyBytes == 0 {
		l.MaxBodyBytes = d.MaxBodyBytes
	}
	if l.MaxPageSize == 0 {
		l.MaxPageSize = d.MaxPageSize
	}
	switch {
	case l.MaxCost == 0:
		l.MaxCost = d.MaxCost
	case l.MaxCost < 0:
		l.MaxCost = 0 // checkCost: none
	}
	if l.MaxResponseBytes <= 0 {
		l.MaxResponseBytes = d.MaxResponseBytes
	}
	orNone := func(v *time.Duration, def time.Duration) {
		switch {
		case *v == 0:
			*v = def
		case *v < 0:
			*v = 0 // none
		}
	}
	orNone(&l.StatementTimeout, d.StatementTimeout)
	orNone(&l.RequestTimeout, d.RequestTimeout)
	if l.PoolTimeout <= 0 {
		l.PoolTimeout = d.PoolTimeout
	}
	if l.WriteTimeout <= 0 {
		l.WriteTimeout = d.WriteTimeout
	}
	return l
}

// document is what the document phase checks.
func (l Limits) document() document.Limits {
	return document.Limits{
		MaxDocumentBytes: l.MaxDocumentBytes, MaxDepth: l.MaxDepth, MaxTokens: l.MaxTokens,
		MaxSelections: l.MaxSelections, MaxAliases: l.MaxAliases, MaxRootFields: l.MaxRootFields,
		MaxDirectives: l.MaxDirectives, DocumentCache: l.DocumentCache,
		MaxCost: l.MaxCost, MaxPageSize: l.MaxPageSize,
	}
}

// sql is what composition checks.
func (l Limits) sql() sqlgen.Limits {
	return sqlgen.Limits{MaxPageSize: l.MaxPageSize, MaxDepth: l.MaxDepth}
}
