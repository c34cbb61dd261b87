package sqlgen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/gqlplan/gqlplan/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestCursorExprOnPostgreSQL has PostgreSQL build cursors from the widest
// values of their key types: a cursor left without translate (its keys'
// types bound its length) must still come out on one line, and every
// cursor must decode to the values it was built from.
func TestCursorExprOnPostgreSQL(t *testing.T) {
	conn, err := pgx.Connect(t.Context(), pgtest.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	for _, tc := range []struct {
		types, values []string
		oneLine       bool // built without translate
	}{
		{[]string{"integer"}, []string{"-2147483648"}, true},
		{[]string{"bigint", "bigint"}, []string{"-9223372036854775808", "-9223372036854775807"}, true},
		{[]string{"uuid"}, []string{"'ffffffff-ffff-ffff-ffff-ffffffffffff'"}, true},
		{[]string{"smallint", "boolean", "integer", "smallint"}, []string{"-32768", "false", "-2147483648", "NULL"}, true},
		{[]string{"uuid", "integer"}, []string{"'ffffffff-ffff-ffff-ffff-ffffffffffff'", "-2147483648"}, false},
		{[]string{"uuid", "boolean"}, []string{"'ffffffff-ffff-ffff-ffff-ffffffffffff'", "false"}, false}, // 59 bytes: two lines
		{[]string{"text"}, []string{"repeat('é', 60)"}, false},
		{[]string{""}, []string{"1"}, false}, // type unknown (no catalog)
	} {
		var keys []orderKey
		var cols, casts []string
		for i, typ := range tc.types {
			col := fmt.Sprintf("k%d", i)
			keys = append(keys, orderKey{expr: "s." + col, column: col, sqlType: typ})
			cols = append(cols, col)
			cast := typ
			if cast == "" {
				cast = "integer"
			}
			casts = append(casts, "CAST("+tc.values[i]+" AS "+cast+")")
		}
		expr := cursorExpr(keys)
		if got := !strings.HasPrefix(expr, "translate("); got != tc.oneLine {
			t.Errorf("%v: built without translate: %v, want %v", tc.types, got, tc.oneLine)
		}
		texts := make([]string, len(cols))
		for i, col := range cols {
			texts[i] = "s." + col + "::text"
		}
		row := conn.QueryRow(t.Context(), fmt.Sprintf("SELECT %s, ARRAY[%s] FROM (VALUES (%s)) s(%s)",
			expr, strings.Join(texts, ", "), strings.Join(casts, ", "), strings.Join(cols, ", ")))
		var cursor string
		var want []*string // the values as PostgreSQL prints them, NULL as nil
		if err := row.Scan(&cursor, &want); err != nil {
			t.Fatalf("%v: %v", tc.types, err)
		}
		if strings.ContainsAny(cursor, "\n\r") {
			t.Errorf("%v: cursor %q is broken into lines", tc.types, cursor)
		}
		got, err := decodeCursor(cursor, keys)
		if err != nil {
			t.Fatalf("%v: cursor %q does not decode: %v", tc.types, cursor, err)
		}
		for i, w := range want {
			if w == nil && got[i] != nil || w != nil && got[i] != *w {
				t.Errorf("%v: value %d of the cursor is %v, want %v", tc.types, i, got[i], w)
			}
		}
	}
}
