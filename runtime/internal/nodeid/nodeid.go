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

	"github.com/gqlplan/gqlplan/runtime/internal/wire"
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
	v, err := wire.DecodeJSON(body)
	parts, ok := v.([]any)
	if err != nil || !ok || len(parts) < 2 {
		return "", nil, ErrMalformed
	}
	if typeName, ok = parts[0].(string); !ok || typeName == "" {
		return "", nil, ErrMalformed
	}
	key = parts[1:]
	for _, k := range key {
		switch k.(type) {
		case string, json.Number, bool:
		default: // a key is scalar values; null, objects, arrays are not
			return "", nil, ErrMalformed
		}
	}
	return typeName, key, nil
}
