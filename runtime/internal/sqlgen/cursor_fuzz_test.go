package sqlgen

import (
	"encoding/base64"
	"testing"

	"github.com/gqlplan/gqlplan/runtime/internal/wire"
)

// FuzzCursor feeds arbitrary text to the cursor decoder, which reads what
// clients send as after/before: it must refuse, never panic, and what it
// accepts has one value per order key, each a string or NULL.
func FuzzCursor(f *testing.F) {
	keys := []orderKey{{column: "at", expr: "s.at", notNull: true}, {column: "id", expr: "s.id", descending: true}}
	sig := cursorSignature(keys)
	for _, seed := range []string{
		`["` + sig + `", "2024-01-01T00:00:00+00:00", 1]`,
		`["` + sig + `", "x", null]`,
		`["` + sig + `", 1.5e300, true]`,
		`["` + sig + `", {"a": 1}, [1]]`,
		`["00000000", 1, 2]`,
		`[]`, `{}`, `null`, `"` + sig + `"`,
	} {
		f.Add(base64.StdEncoding.EncodeToString([]byte(seed)))
	}
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, cursor string) {
		values, err := decodeCursor(cursor, keys)
		if err != nil {
			if e, ok := err.(*wire.Error); !ok || e.Code != wire.CodeBadUserInput {
				t.Fatalf("error %v is not BAD_USER_INPUT", err)
			}
			return
		}
		if len(values) != len(keys) {
			t.Fatalf("%d values for %d keys", len(values), len(keys))
		}
		for i, v := range values {
			switch v.(type) {
			case string:
			case nil:
				if keys[i].notNull {
					t.Fatalf("NULL accepted for NOT NULL key %s", keys[i].column)
				}
			default:
				t.Fatalf("value %d is %T, not text", i, v)
			}
		}
	})
}
