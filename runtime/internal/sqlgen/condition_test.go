package sqlgen

import "testing"

// Only real parameters are renumbered: a $ in a string, a quoted
// identifier, a comment, a dollar-quoted string or an identifier is left.
func TestRenumber(t *testing.T) {
	ps := []string{"$7", "$8"}
	for _, c := range []struct{ in, want string }{
		{"first_name = $1 AND id > $2", "first_name = $7 AND id > $8"},
		{"a = '$1' AND b = $2", "a = '$1' AND b = $8"},
		{"a = 'it''s $1' AND b = $1", "a = 'it''s $1' AND b = $7"},
		{`a = E'\'$1' AND b = $2`, `a = E'\'$1' AND b = $8`},
		{`"col$1" = $1`, `"col$1" = $7`},
		{"x = $2 -- $1\n AND y = $1", "x = $8 -- $1\n AND y = $7"},
		{"/* $1 /* $2 */ $1 */ z = $1", "/* $1 /* $2 */ $1 */ z = $7"},
		{"a = $$ $1 $$ AND b = $2", "a = $$ $1 $$ AND b = $8"},
		{"a = $q$ $1 $q$ || $1", "a = $q$ $1 $q$ || $7"},
		{"col$1 = $2", "col$1 = $8"},
		{"price > $1::int", "price > $7::int"},
	} {
		got, err := Renumber(c.in, ps)
		if err != nil || got != c.want {
			t.Errorf("%q: got %q %v, want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"a = $3", "a = $0", "a = $$ unterminated"} {
		if got, err := Renumber(bad, ps); err == nil {
			t.Errorf("%q: no error (%q)", bad, got)
		}
	}
}

// Without arguments, a condition is either refused (it names one) or
// kept exactly as written.
func FuzzRenumber(f *testing.F) {
	for _, s := range []string{"a = $1", "'$1' || $$x$$", `E'\'' || "q$" -- $1`, "/* /* */ $2 */"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Renumber(s, nil)
		if err == nil && got != s {
			t.Fatalf("%q became %q", s, got)
		}
	})
}
