package runtime

import (
	"crypto/sha256"
	"slices"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/gqlplan/gqlplan/runtime/internal/document"
	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/sqlgen"
)

// A request repeated with other values — the same document and
// operation, another id — would collect the same fields and compose the
// same SQL. The handler keeps what it composed, per document and
// operation, and a later request whose variables have the same shape
// (document.Request.Shape: the same value for every variable that decided
// something, the same presence and nullness for the others) rebinds the
// statements' slots to its own values instead of collecting and
// composing. What is per request stays per request: the variables are
// coerced, the role and claims checked, each root field authorized.

// maxShapes bounds the shapes kept per document and operation: a
// variable that decides something (a page size, an order) makes one per
// value.
const maxShapes = 4

// maxShapeBytes bounds a kept shape (which holds the deciding variables'
// values): a request whose deciding values are larger is composed afresh,
// so a client cannot make the cache hold its megabytes.
const maxShapeBytes = 4 << 10

type composedKey struct {
	document  [sha256.Size]byte
	operation string
}

// composedCache holds what was composed, per document and operation.
type composedCache struct {
	lru *lru.Cache[composedKey, *composedShapes]
}

type composedShapes struct {
	mu     sync.Mutex
	shapes []*composed // most recent first
}

// composed is one operation collected and composed: its fields (shared by
// the requests that reuse it: read only) and the statement of each root
// field that has one (nil for the others).
type composed struct {
	shape      string
	uses       *operation.Uses
	op         *operation.Operation
	statements []*sqlgen.Statement
}

func newComposedCache(size int) *composedCache {
	c, _ := lru.New[composedKey, *composedShapes](max(size, 1))
	return &composedCache{lru: c}
}

// find returns what was composed for a request of r's shape, or nil.
func (c *composedCache) find(r *document.Request) *composed {
	entry, ok := c.lru.Get(composedKey{r.Document, r.Name})
	if !ok {
		return nil
	}
	entry.mu.Lock()
	shapes := slices.Clone(entry.shapes)
	entry.mu.Unlock()
	for _, s := range shapes {
		if shape, ok := r.Shape(s.uses); ok && shape == s.shape {
			return s
		}
	}
	return nil
}

// add keeps op, collected for r, and its fields' statements, unless some
// value of r cannot be compared.
func (c *composedCache) add(r *document.Request, op *operation.Operation, fields []*rootField) {
	shape, ok := r.Shape(op.Uses)
	if !ok || len(shape) > maxShapeBytes {
		return
	}
	op.Uses.Seal() // from here on, requests share op
	op.ForgetFreeValues()
	s := &composed{shape: shape, uses: op.Uses, op: op, statements: make([]*sqlgen.Statement, len(fields))}
	for i, f := range fields {
		if f.stmt != nil {
			s.statements[i] = f.stmt.Template()
		}
	}
	entry := &composedShapes{}
	if previous, found, _ := c.lru.PeekOrAdd(composedKey{r.Document, r.Name}, entry); found {
		entry = previous
	}
	entry.mu.Lock()
	defer entry.mu.Unlock()
	for _, old := range entry.shapes {
		if old.shape == shape {
			return
		}
	}
	entry.shapes = append([]*composed{s}, entry.shapes...)
	if len(entry.shapes) > maxShapes {
		entry.shapes = entry.shapes[:maxShapes]
	}
}
