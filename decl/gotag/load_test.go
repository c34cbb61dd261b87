package gotag

import (
	"testing"

	"github.com/gqlplan/gqlplan/decl"
)

func TestLowerCamel(t *testing.T) {
	for in, want := range map[string]string{
		"CreatedAt": "createdAt", "ID": "id", "URLPath": "urlPath", "AuthorID": "authorID",
		"X": "x", "already": "already", "HTMLBody": "htmlBody",
	} {
		if got := lowerCamel(in); got != want {
			t.Errorf("lowerCamel(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPositionsPointIntoTags: a value inside a struct tag is reported at
// its own line and column, so an editor jumps to the exact option.
func TestPositionsPointIntoTags(t *testing.T) {
	src := "package p\n\ntype Query struct {\n\tQ []T `sql_source:\"v\" inject:\"owner_id=jwt:sub, tenant=jwt:t\"`\n}\n"
	f, diags, declares := Load("q.go", []byte(src))
	if len(diags) > 0 || !declares {
		t.Fatalf("diags %v, declares %v", diags, declares)
	}
	in := f.Queries[0].Inject
	check := func(what string, got decl.Text, value string, col int) {
		t.Helper()
		if got.Value != value || got.Range.Start != (decl.Pos{Line: 4, Column: col}) || got.Range.End.Column != col+len(value) {
			t.Errorf("%s = %q at %v..%v, want %q at 4:%d", what, got.Value, got.Range.Start, got.Range.End, value, col)
		}
	}
	check("sql_source", *f.Queries[0].SQLSource, "v", 21)
	check("first key", in[0].Key, "owner_id", 32)
	check("first source", in[0].Source, "jwt:sub", 41)
	check("second key", in[1].Key, "tenant", 50)
	check("second source", in[1].Source, "jwt:t", 57)
	if f.Queries[0].Name.Value != "q" || f.Queries[0].Returns.Value != "[T!]!" {
		t.Errorf("query %q returns %q", f.Queries[0].Name.Value, f.Queries[0].Returns.Value)
	}
}

// TestOrdinaryGoFilesDeclareNothing: a package's other files are skipped,
// with no diagnostics, even when their structs have json tags.
func TestOrdinaryGoFilesDeclareNothing(t *testing.T) {
	src := "package p\n\ntype User struct {\n\tName string `json:\"name\" db:\"name\"`\n}\n\nfunc F() {}\n"
	f, diags, declares := Load("u.go", []byte(src))
	if declares || len(diags) > 0 || f == nil {
		t.Errorf("declares %v, diags %v", declares, diags)
	}
}
