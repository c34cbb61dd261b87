package spec

import (
	"fmt"
	"strings"
)

// TypeRef is a parsed GraphQL type reference: a named type, or a list of a
// type, either of which may be non-null.
type TypeRef struct {
	Name    string   // set for a named type
	Elem    *TypeRef // set for a list
	NonNull bool
}

func (t *TypeRef) String() string {
	s := t.Name
	if t.Elem != nil {
		s = "[" + t.Elem.String() + "]"
	}
	if t.NonNull {
		s += "!"
	}
	return s
}

// Named returns the innermost named type.
func (t *TypeRef) Named() string {
	for t.Elem != nil {
		t = t.Elem
	}
	return t.Name
}

// Depth counts list wrappers: 0 for "T!", 1 for "[T!]!".
func (t *TypeRef) Depth() int {
	n := 0
	for ; t.Elem != nil; t = t.Elem {
		n++
	}
	return n
}

// ParseTypeRef parses "[Post!]!"-style references. Spaces are allowed
// between tokens, as in GraphQL.
func ParseTypeRef(s string) (*TypeRef, error) {
	p := typeParser{src: s}
	t, err := p.parse(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return nil, fmt.Errorf("unexpected %q after %q", p.src[p.pos:], strings.TrimSpace(p.src[:p.pos]))
	}
	return t, nil
}

type typeParser struct {
	src string
	pos int
}

// maxTypeNesting bounds list nesting so a hostile declaration cannot
// exhaust the stack.
const maxTypeNesting = 8

func (p *typeParser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func (p *typeParser) parse(depth int) (*TypeRef, error) {
	if depth > maxTypeNesting {
		return nil, fmt.Errorf("lists nested more than %d deep", maxTypeNesting)
	}
	p.skipSpace()
	if p.pos == len(p.src) {
		return nil, fmt.Errorf("missing type name")
	}
	t := &TypeRef{}
	switch c := p.src[p.pos]; {
	case c == '[':
		p.pos++
		elem, err := p.parse(depth + 1)
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos == len(p.src) || p.src[p.pos] != ']' {
			return nil, fmt.Errorf("missing \"]\"")
		}
		p.pos++
		t.Elem = elem
	case isNameStart(c):
		start := p.pos
		for p.pos < len(p.src) && isNameChar(p.src[p.pos]) {
			p.pos++
		}
		t.Name = p.src[start:p.pos]
	default:
		return nil, fmt.Errorf("unexpected %q", p.src[p.pos:p.pos+1])
	}
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '!' {
		p.pos++
		t.NonNull = true
	}
	return t, nil
}

func isNameStart(c byte) bool { return c == '_' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' }
func isNameChar(c byte) bool  { return isNameStart(c) || '0' <= c && c <= '9' }
