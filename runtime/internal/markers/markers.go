// Package markers finds the markers of field resolvers in a result
// PostgreSQL built, and writes the resolvers' values in their place (see
// package sqlgen's resolvers). A result is scanned as JSON, byte by
// byte: everything but a marker is copied as it is.
package markers

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Marker is one marker of a result: the slot of its field resolver in
// the statement and the row's required columns.
type Marker struct {
	Slot     int
	Requires map[string]any
}

var errSyntax = errors.New("markers: the result is not valid JSON")

// key is the marker's key, as PostgreSQL writes it.
var key = []byte(`"$r"`)

// Find returns the markers of doc, in document order.
func Find(doc []byte) ([]Marker, error) {
	var out []Marker
	_, err := walk(doc, 0, func(m []byte) error {
		var raw struct {
			Slot     int            `json:"$r"`
			Requires map[string]any `json:"v"`
		}
		dec := json.NewDecoder(bytes.NewReader(m))
		dec.UseNumber()
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		out = append(out, Marker{Slot: raw.Slot, Requires: raw.Requires})
		return nil
	}, nil)
	return out, err
}

// Replace returns doc with its markers replaced, in document order, by
// values (JSON each; as many as Find found).
func Replace(doc []byte, values []json.RawMessage) ([]byte, error) {
	out := make([]byte, 0, len(doc))
	next := 0
	_, err := walk(doc, 0, func([]byte) error {
		if next >= len(values) {
			return errors.New("markers: fewer values than markers")
		}
		out = append(out, values[next]...)
		next++
		return nil
	}, &out)
	if err == nil && next != len(values) {
		err = errors.New("markers: more values than markers")
	}
	return out, err
}

// walk scans the value at doc[i:] and returns where it ends. Each marker
// object is handed to marker; with out, every other byte is appended to
// it.
func walk(doc []byte, i int, marker func([]byte) error, out *[]byte) (int, error) {
	i = skipSpace(doc, i, out)
	if i >= len(doc) {
		return i, errSyntax
	}
	switch doc[i] {
	case '{':
		if j := skipSpace(doc, i+1, nil); bytes.HasPrefix(doc[j:], key) {
			end, err := skip(doc, i)
			if err != nil {
				return end, err
			}
			return end, marker(doc[i:end])
		}
		return walkContainer(doc, i, '}', true, marker, out)
	case '[':
		return walkContainer(doc, i, ']', false, marker, out)
	default:
		end, err := skip(doc, i)
		if out != nil && err == nil {
			*out = append(*out, doc[i:end]...)
		}
		return end, err
	}
}

// walkContainer walks an object's members or an array's elements.
func walkContainer(doc []byte, i int, closer byte, object bool, marker func([]byte) error, out *[]byte) (int, error) {
	emit(out, doc[i])
	i++
	for first := true; ; first = false {
		i = skipSpace(doc, i, out)
		if i >= len(doc) {
			return i, errSyntax
		}
		if doc[i] == closer {
			emit(out, closer)
			return i + 1, nil
		}
		if !first {
			if doc[i] != ',' {
				return i, errSyntax
			}
			emit(out, ',')
			i = skipSpace(doc, i+1, out)
		}
		if object {
			end, err := skipString(doc, i)
			if err != nil {
				return end, err
			}
			if out != nil {
				*out = append(*out, doc[i:end]...)
			}
			i = skipSpace(doc, end, out)
			if i >= len(doc) || doc[i] != ':' {
				return i, errSyntax
			}
			emit(out, ':')
			i++
		}
		var err error
		if i, err = walk(doc, i, marker, out); err != nil {
			return i, err
		}
	}
}

func emit(out *[]byte, c byte) {
	if out != nil {
		*out = append(*out, c)
	}
}

func skipSpace(doc []byte, i int, out *[]byte) int {
	start := i
	for i < len(doc) && (doc[i] == ' ' || doc[i] == '\n' || doc[i] == '\t' || doc[i] == '\r') {
		i++
	}
	if out != nil {
		*out = append(*out, doc[start:i]...)
	}
	return i
}

// skip returns the end of the value at doc[i:].
func skip(doc []byte, i int) (int, error) {
	if i >= len(doc) {
		return i, errSyntax
	}
	switch doc[i] {
	case '"':
		return skipString(doc, i)
	case '{', '[':
		depth := 0
		for ; i < len(doc); i++ {
			switch doc[i] {
			case '"':
				end, err := skipString(doc, i)
				if err != nil {
					return end, err
				}
				i = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1, nil
				}
			}
		}
		return i, errSyntax
	default: // a number, true, false or null
		start := i
		for i < len(doc) && !bytes.ContainsRune([]byte(" \t\r\n,]}:"), rune(doc[i])) {
			i++
		}
		if i == start {
			return i, errSyntax
		}
		return i, nil
	}
}

func skipString(doc []byte, i int) (int, error) {
	if i >= len(doc) || doc[i] != '"' {
		return i, errSyntax
	}
	for i++; i < len(doc); i++ {
		switch doc[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return i, errSyntax
}
