package gotag

import (
	"go/ast"
	"go/token"
	"slices"
	"strconv"
	"strings"

	"github.com/gqlplan/gqlplan/decl"
)

// tagValue is one key:"value" of a struct tag, with where its value is.
type tagValue struct {
	key     decl.Text
	value   string
	valueAt int // byte offset of the value's first byte in the tag's content
	tag     *tag
}

// tag is a parsed struct tag. Positions are exact for the usual raw
// string tags (`gql:"x"`); for an interpreted string tag ("gql:\"x\"") every
// position is the tag's own.
type tag struct {
	values  []*tagValue
	content string
	start   token.Pos // position of content[0]
	raw     bool
	l       *loader
}

// parseTag reads a struct tag the way reflect.StructTag.Get does, but keeps
// positions and reports malformed tags and duplicate keys.
func (l *loader) parseTag(lit *ast.BasicLit) *tag {
	if lit == nil {
		return &tag{l: l}
	}
	t := &tag{l: l, start: lit.Pos() + 1, raw: strings.HasPrefix(lit.Value, "`")}
	if t.raw {
		t.content = lit.Value[1 : len(lit.Value)-1]
	} else {
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			l.errorf(l.rangeOf(lit.Pos(), lit.End()), "tag-syntax", "malformed struct tag %s", lit.Value)
			return &tag{l: l}
		}
		t.content, t.start = s, lit.Pos()
	}
	s := t.content
	seen := map[string]*tagValue{}
	for i := 0; i < len(s); {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			break
		}
		keyStart := i
		for i < len(s) && s[i] > ' ' && s[i] != ':' && s[i] != '"' && s[i] != 0x7f {
			i++
		}
		if i == keyStart || i+1 >= len(s) || s[i] != ':' || s[i+1] != '"' {
			l.errorf(t.rangeAt(keyStart, i), "tag-syntax", "malformed struct tag: want key:\"value\" pairs separated by spaces, at %q", clip(s[keyStart:]))
			return t
		}
		key := s[keyStart:i]
		i++ // the colon
		valStart := i
		i++ // the opening quote
		for i < len(s) && s[i] != '"' {
			if s[i] == '\\' {
				i++
			}
			i++
		}
		if i >= len(s) {
			l.errorf(t.rangeAt(keyStart, len(s)), "tag-syntax", "malformed struct tag: the value of %q has no closing quote", key)
			return t
		}
		i++ // the closing quote
		value, err := strconv.Unquote(s[valStart:i])
		if err != nil {
			l.errorf(t.rangeAt(valStart, i), "tag-syntax", "malformed struct tag: the value of %q is not a valid Go string: %v", key, err)
			return t
		}
		v := &tagValue{key: decl.Text{Value: key, Range: t.rangeAt(keyStart, keyStart+len(key))}, value: value, valueAt: valStart + 1, tag: t}
		if prev, dup := seen[key]; dup {
			l.errorf(v.key.Range, "duplicate-key", "struct tag key %q appears twice (first at %s)", key, prev.key.Range)
			continue
		}
		seen[key] = v
		t.values = append(t.values, v)
	}
	return t
}

func clip(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}

// rangeAt is the range of content[from:to].
func (t *tag) rangeAt(from, to int) decl.Range {
	if !t.raw {
		return t.l.rangeOf(t.start, t.start)
	}
	return t.l.rangeOf(t.start+token.Pos(from), t.start+token.Pos(to))
}

// get returns the value of key, or nil.
func (t *tag) get(key string) *tagValue {
	for _, v := range t.values {
		if v.key.Value == key {
			return v
		}
	}
	return nil
}

// checkKeys reports keys that look like a misspelling of one of ours.
// Other keys belong to other libraries (json, db, …) and are left alone.
func (t *tag) checkKeys(allowed []string, owner string) {
	for _, v := range t.values {
		if slices.Contains(allowed, v.key.Value) {
			continue
		}
		if hint := decl.DidYouMean(v.key.Value, allowed); hint != "" {
			t.l.errorf(v.key.Range, "unknown-key", "unknown struct tag key %q on %s%s", v.key.Value, owner, hint)
		}
	}
}

// text is the whole value as a decl.Text.
func (v *tagValue) text() decl.Text {
	return v.sub(0, len(v.value))
}

// sub is value[from:to] as a decl.Text. Offsets are exact when the value
// holds no escapes, which is the case for every value gqlplan reads.
func (v *tagValue) sub(from, to int) decl.Text {
	return decl.Text{Value: v.value[from:to], Range: v.tag.rangeAt(v.valueAt+from, v.valueAt+to)}
}

// item is one comma-separated part of a value, trimmed, with its offset.
type item struct {
	text string
	at   int
}

// items splits the value at commas (the list syntax of inject, filter,
// order_by, limit and the gql options).
func (v *tagValue) items() []item {
	var out []item
	at := 0
	for _, part := range strings.Split(v.value, ",") {
		lead := len(part) - len(strings.TrimLeft(part, " "))
		out = append(out, item{text: strings.TrimSpace(part), at: at + lead})
		at += len(part) + 1
	}
	return out
}

// textOf is an item, or a part of it starting at off, as a decl.Text.
func (v *tagValue) textOf(it item, off int, s string) decl.Text {
	return v.sub(it.at+off, it.at+off+len(s))
}
