package document

import (
	"regexp"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`mutation { authenticate(email: "a@b.c", password: "hunter2") { jwt } }`, `mutation { authenticate ( email : ? password : ? ) { jwt } }`},
		{"query Q($n: Int = 5) { posts(first: $n, min: 1.5) { ...F } } # secret\nfragment F on Post { body(q: \"\"\"x\ny\"\"\") }",
			`query Q ( $ n : Int = ? ) { posts ( first : $ n min : ? ) { ... F } } fragment F on Post { body ( q : ? ) }`},
		{`{ a(s: "unterminated`, `{ a ( s : …`},
	} {
		if got := Redact(c.in); got != c.want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// FuzzRedact: whatever the document, what is left is names,
// punctuators and "?": no literal, no comment.
func FuzzRedact(f *testing.F) {
	f.Add(`{ a(s: "secret-1234", n: 98765) }`)
	f.Add("query { b(s: \"\"\"block secret\"\"\") } # a comment")
	name := regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]*$`)
	f.Fuzz(func(t *testing.T, doc string) {
		for _, tok := range strings.Fields(Redact(doc)) {
			switch tok {
			case "?", "…", "!", "$", "&", "(", ")", "...", ":", "=", "@", "[", "]", "{", "}", "|":
			default:
				if !name.MatchString(tok) {
					t.Fatalf("%q is left of %q", tok, doc)
				}
			}
		}
	})
}
