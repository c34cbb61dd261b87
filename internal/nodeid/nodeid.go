// Package nodeid is the global ids of node types (Relay's global object
// identification): an opaque, URL-safe string naming a type and the key
// of one of its rows. It takes a type name and key values and gives the
// id — [SQL] is the expression PostgreSQL builds it with, inside the
// statement that reads the row — and decodes an id a client sends back
// ([Decode]). The encoding is versioned:
//
//	base64url(unpadded) of "g1" + the JSON array [type, key…]
//
// so a later version can change it and still read these.
package nodeid

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// version prefixes the JSON of every id this package writes.
const version = "g1"

// MaxLength bounds the ids decoded: a key is a few values, and an id is
// decoded before anything else bounds it.
const MaxLength = 1024

// SQL is the expression of the global id of a row of typeName whose key
// columns are the SQL expressions keys: PostgreSQL writes the JSON
// (json_build_array) and base64 (with + / = and line breaks made
// URL-safe). typeName is a GraphQL name from the plan, safe as a literal.
func SQL(typeName string, keys []string) string {
	return fmt.Sprintf(`translate(encode(convert_to('%s' || json_build_array('%s', %s)::text, 'UTF8'), 'base64'), E'+/=\n', '-_')`,
		version, typeName, strings.Join(keys, ", "))
}

// Encode is the id of the row of typeName with key values key, exactly
// as [SQL] writes it (PostgreSQL's json_build_array separates elements
// with ", "). The server never needs it; tests and tools do.
func Encode(typeName string, key ...any) string {
	parts := make([]string, 0, len(key)+1)
	for _, v := range append([]any{typeName}, key...) {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
		parts = append(parts, strings.TrimSuffix(b.String(), "\n"))
	}
	return base64.RawURLEncoding.EncodeToString([]byte(version + "[" + strings.Join(parts, ", ") + "]"))
}

// ErrMalformed is the error of an id this server did not write.
var ErrMalformed = errors.New("not a global id of this API")

// Decode reads an id: the type name and the key values, as JSON decodes
// them (numbers as json.Number, so a bigint key keeps its digits).
func Decode(id string) (typeName string, key []any, err error) {
	if len(id) == 0 || len(id) > MaxLength {
		return "", nil, ErrMalformed
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(id, "="))
	if err != nil {
		return "", nil, ErrMalformed
	}
	body, ok := bytes.CutPrefix(raw, []byte(version))
	if !ok {
		return "", nil, ErrMalformed
	}
	if typeName, key, ok = parseArray(body); !ok || typeName == "" || len(key) == 0 {
		return "", nil, ErrMalformed
	}
	return typeName, key, nil
}

// parseArray reads the JSON array of an id, [type, key…]: a string, then
// strings, numbers and booleans (a key is scalar values; null, objects and
// arrays are not). An id is read in every request that names a node, so
// this is a scanner of that one shape, not a JSON value decoded into a
// tree first; the fuzz test holds it to what a JSON decoder reads.
func parseArray(b []byte) (typeName string, key []any, ok bool) {
	b = skipSpace(b)
	if len(b) == 0 || b[0] != '[' {
		return "", nil, false
	}
	b = skipSpace(b[1:])
	var v any
	if v, b, ok = parseScalar(b); !ok {
		return "", nil, false
	}
	if typeName, ok = v.(string); !ok {
		return "", nil, false
	}
	key = make([]any, 0, 2)
	for {
		b = skipSpace(b)
		if len(b) == 0 {
			return "", nil, false
		}
		if b[0] == ']' {
			return typeName, key, len(skipSpace(b[1:])) == 0
		}
		if b[0] != ',' {
			return "", nil, false
		}
		if v, b, ok = parseScalar(skipSpace(b[1:])); !ok {
			return "", nil, false
		}
		key = append(key, v)
	}
}

// skipSpace drops JSON white space from the front of b.
func skipSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	return b
}

// parseScalar reads the string, number or boolean at the front of b.
func parseScalar(b []byte) (v any, rest []byte, ok bool) {
	switch {
	case len(b) == 0:
		return nil, nil, false
	case b[0] == '"':
		return parseString(b)
	case bytes.HasPrefix(b, []byte("true")):
		return true, b[4:], true
	case bytes.HasPrefix(b, []byte("false")):
		return false, b[5:], true
	}
	n := numberLength(b)
	if n == 0 {
		return nil, nil, false
	}
	return json.Number(b[:n]), b[n:], true
}

// parseString reads the JSON string at the front of b. One without
// escapes is its bytes, when they are UTF-8 and hold no control
// character; one with escapes is left to jsontext, which unquotes and
// validates it.
func parseString(b []byte) (v any, rest []byte, ok bool) {
	escaped := false
	for i := 1; i < len(b); i++ {
		switch c := b[i]; {
		case c == '\\':
			escaped = true
			i++ // the escaped byte cannot end the string
		case c == '"':
			if !escaped {
				if !utf8.Valid(b[1:i]) {
					return nil, nil, false
				}
				return string(b[1:i]), b[i+1:], true
			}
			s, err := jsontext.AppendUnquote(nil, b[:i+1])
			if err != nil {
				return nil, nil, false
			}
			return string(s), b[i+1:], true
		case c < 0x20:
			return nil, nil, false
		}
	}
	return nil, nil, false
}

// numberLength is the length of the JSON number at the front of b (RFC
// 8259: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?), 0 when there is
// none.
func numberLength(b []byte) int {
	i := 0
	digits := func() int {
		n := 0
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return 0
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return 0
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0
		}
	}
	return i
}
