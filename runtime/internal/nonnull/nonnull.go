// Package nonnull carries out the GraphQL specification's null
// propagation ("Handling Field Errors", "Errors and Non-Null Types") on a
// result PostgreSQL built.
//
// PostgreSQL cannot raise a field error and go on, so package sqlgen
// writes a marker, {"<Key>": <site>}, wherever a value the schema
// promises is non-null turned out null (a nullable column, a to-one
// relation over a nullable key or hidden by Row Level Security, a
// function's NULL), and {"<Key>": <site>, "v": <label>} where an enum
// column holds a label the GraphQL enum lacks. Only those positions are
// checked in SQL; a result without the key, the common case, is written
// as it is. [Apply] reads a result that holds markers: each becomes a
// field error at its path, and the null goes up to the nearest nullable
// position, as graphql-js places it.
//
// The key holds a random part chosen when the process starts: a value of
// a JSON column is written as it is, so a fixed key could be forged by
// whoever writes one.
package nonnull

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/gqlplan/gqlplan/runtime/internal/wire"
)

// Key is the key of a marker object, unguessable from outside the
// process.
var Key = newKey()

// quotedKey is Key as it appears in a result, the bytes a result is
// searched for.
var quotedKey = []byte(strconv.Quote(Key))

func newKey() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	// No colon: pgbench, replaying the statements in make bench, reads
	// ":name" as a variable, in literals too.
	return "$null-" + hex.EncodeToString(b[:])
}

// Site is a position of a statement's result a marker can stand at.
type Site struct {
	// Type and Field name the field, for the message.
	Type, Field string
	// Enum is the field's enum type when the site checks an enum label.
	Enum string
	// Message and Code, when set, are the error of the field itself (its
	// arguments are wrong): reported wherever the field runs, whether or
	// not its type is nullable.
	Message, Code string
	// Element: the site is a list whose element (at the marker's "i")
	// is null where the type promises none; Up counts from the element.
	Element bool
	// Up is how many path segments a null at the site goes up to the
	// nearest nullable position: 0 when the site itself may be null, and
	// past the value's own root (one more than its depth) when the null
	// reaches the data.
	Up  int
	Loc wire.Location
}

// Has reports whether doc holds a marker.
func Has(doc []byte) bool { return bytes.Contains(doc, quotedKey) }

// Result is what Apply makes of a result.
type Result struct {
	// JSON is the result with every null placed; nil when the value
	// itself is null.
	JSON json.RawMessage
	// DataNull: a null went past the value, to its parent (the response's
	// data, for a root field).
	DataNull bool
	Errors   []*wire.Error
}

var errSyntax = errors.New("nonnull: the result is not valid JSON")

// Apply places the nulls of doc's markers, for a value at path root of
// the response; sites are its statement's. An error means doc is not
// what sqlgen wrote (not JSON, or a marker of an unknown site).
func Apply(doc []byte, sites []Site, root []any) (Result, error) {
	var p parser
	p.doc = doc
	top, err := p.value(0)
	if err != nil {
		return Result{}, err
	}
	var targets []*node // the positions nulled, in document order
	var res Result
	var failed error
	var visit func(n *node, path []any)
	visit = func(n *node, path []any) {
		if failed != nil {
			return
		}
		if n.marker {
			site, value, err := p.readMarker(n, len(sites))
			if err != nil {
				failed = err
				return
			}
			s := sites[site]
			if s.Element { // the error is the element's: its index joins the path
				var i int
				if err := json.Unmarshal(value, &i); err != nil {
					failed = fmt.Errorf("nonnull: an element's marker without its index")
					return
				}
				path, value = append(slices.Clip(path), i), nil
			}
			if value == nil && s.Up == 0 && s.Message == "" {
				targets = append(targets, n) // a null where one may be
				return
			}
			e := &wire.Error{Message: fmt.Sprintf("Cannot return null for non-nullable field %s.%s.", s.Type, s.Field), Code: wire.CodeInternal}
			switch {
			case s.Message != "":
				e.Message, e.Code = s.Message, s.Code
			case value != nil:
				e.Message = fmt.Sprintf("Enum %q cannot represent value: %s", s.Enum, value)
			}
			e.Path = append(slices.Clone(root), path...)
			e.Locations = []wire.Location{s.Loc}
			res.Errors = append(res.Errors, e)
			if s.Up > len(path) {
				res.DataNull = true
				targets = append(targets, top)
				return
			}
			targets = append(targets, n.ancestor(min(len(path)-s.Up, n.depth())))
			return
		}
		for i, kid := range n.kids {
			// A null that reached an ancestor ends that ancestor's
			// execution: graphql-js completes nothing after it there.
			if slices.ContainsFunc(targets, func(t *node) bool { return kid.within(t) }) {
				return
			}
			seg := any(i)
			if n.open == '{' {
				seg = n.keys[i]
			}
			visit(kid, append(path, seg))
		}
	}
	visit(top, nil)
	if failed != nil {
		return Result{}, failed
	}
	if slices.Contains(targets, top) {
		return res, nil
	}
	res.JSON = rewrite(doc, targets)
	return res, nil
}

// rewrite is doc with each target's value (the outermost of nested ones)
// written as null.
func rewrite(doc []byte, targets []*node) []byte {
	slices.SortFunc(targets, func(a, b *node) int { return a.start - b.start })
	out := make([]byte, 0, len(doc))
	at := 0
	for _, t := range targets {
		if t.start < at {
			continue // inside one already nulled
		}
		out = append(out, doc[at:t.start]...)
		out = append(out, "null"...)
		at = t.end
	}
	return append(out, doc[at:]...)
}

// node is a value of the document: where it is and, for an array or an
// object, its members.
type node struct {
	start, end int
	open       byte // '{', '[' or 0 for a scalar
	marker     bool
	parent     *node
	keys       []string
	kids       []*node
}

// ancestor is the node depth levels below the root on n's way up (0: the
// root itself).
func (n *node) ancestor(depth int) *node {
	var chain []*node
	for at := n; at != nil; at = at.parent {
		chain = append(chain, at)
	}
	return chain[len(chain)-1-depth]
}

// depth is how far below the root n is.
func (n *node) depth() int {
	d := 0
	for at := n.parent; at != nil; at = at.parent {
		d++
	}
	return d
}

// within reports whether n is t or inside it.
func (n *node) within(t *node) bool { return n.start >= t.start && n.end <= t.end }

type parser struct{ doc []byte }

func (p *parser) space(i int) int {
	for i < len(p.doc) && (p.doc[i] == ' ' || p.doc[i] == '\n' || p.doc[i] == '\t' || p.doc[i] == '\r') {
		i++
	}
	return i
}

// value parses the value at doc[i:], after any space.
func (p *parser) value(i int) (*node, error) {
	i = p.space(i)
	if i >= len(p.doc) {
		return nil, errSyntax
	}
	n := &node{start: i}
	switch c := p.doc[i]; c {
	case '{', '[':
		n.open = c
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		i = p.space(i + 1)
		for first := true; ; first = false {
			if i >= len(p.doc) {
				return nil, errSyntax
			}
			if p.doc[i] == closer {
				n.end = i + 1
				return n, nil
			}
			if !first {
				if p.doc[i] != ',' {
					return nil, errSyntax
				}
				i = p.space(i + 1)
			}
			if c == '{' {
				end, err := p.str(i)
				if err != nil {
					return nil, err
				}
				var key string
				if err := json.Unmarshal(p.doc[i:end], &key); err != nil {
					return nil, errSyntax
				}
				if first && key == Key {
					n.marker = true
				}
				n.keys = append(n.keys, key)
				i = p.space(end)
				if i >= len(p.doc) || p.doc[i] != ':' {
					return nil, errSyntax
				}
				i++
			}
			kid, err := p.value(i)
			if err != nil {
				return nil, err
			}
			kid.parent = n
			n.kids = append(n.kids, kid)
			i = p.space(kid.end)
		}
	case '"':
		end, err := p.str(i)
		n.end = end
		return n, err
	default: // a number, true, false or null
		for i < len(p.doc) && !bytes.ContainsRune([]byte(" \t\r\n,]}:"), rune(p.doc[i])) {
			i++
		}
		if i == n.start {
			return nil, errSyntax
		}
		n.end = i
		return n, nil
	}
}

func (p *parser) str(i int) (int, error) {
	if i >= len(p.doc) || p.doc[i] != '"' {
		return i, errSyntax
	}
	for i++; i < len(p.doc); i++ {
		switch p.doc[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return i, errSyntax
}

// readMarker is a marker's site (below sites) and, for an enum label, the
// label as JSON (nil when there is none, or it is null).
func (p *parser) readMarker(n *node, sites int) (int, json.RawMessage, error) {
	var site int
	if err := json.Unmarshal(p.doc[n.kids[0].start:n.kids[0].end], &site); err != nil || site < 0 || site >= sites {
		return 0, nil, fmt.Errorf("nonnull: a marker names no site of its statement")
	}
	for i, k := range n.keys {
		if k == "v" || k == "i" {
			if v := p.doc[n.kids[i].start:n.kids[i].end]; string(v) != "null" {
				return site, v, nil
			}
		}
	}
	return site, nil, nil
}
