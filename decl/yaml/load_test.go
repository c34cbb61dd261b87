package yaml

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gqlplan/gqlplan/decl"
)

func TestLoadKeepsPositionsAndOrder(t *testing.T) {
	src := "version: 1\nqueries:\n  b:\n    returns: T\n    args:\n      z: {type: Int, filter: z}\n      a: String\n  a:\n    returns: T\n"
	f, diags := Load("x.yaml", []byte(src))
	if len(diags) != 0 {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	if len(f.Queries) != 2 || f.Queries[0].Name.Value != "b" || f.Queries[1].Name.Value != "a" {
		t.Fatalf("queries not in written order: %+v", f.Queries)
	}
	b := f.Queries[0]
	if got := b.Name.Range; got.Start != (decl.Pos{Line: 3, Column: 3}) || got.End != (decl.Pos{Line: 3, Column: 4}) {
		t.Errorf("query name range = %+v", got)
	}
	if b.Args[0].Name.Value != "z" || b.Args[1].Name.Value != "a" {
		t.Errorf("arguments not in written order (mutation call order depends on it)")
	}
	if r := b.Args[0].Filter.Column.Range; r.Start != (decl.Pos{Line: 6, Column: 30}) {
		t.Errorf("filter column position = %+v", r.Start)
	}
}

func TestLoadRefusesHugeFiles(t *testing.T) {
	data := append([]byte("version: 1\n# "), bytes.Repeat([]byte("x"), MaxFileSize)...)
	f, diags := Load("big.yaml", data)
	if f != nil || len(diags) != 1 || diags[0].Code != "file-too-large" {
		t.Fatalf("Load of a %d-byte file = %v, %v; want one file-too-large diagnostic", len(data), f, diags)
	}
}

func TestLoadValueKinds(t *testing.T) {
	src := "version: 1\nqueries:\n  q:\n    args:\n      a: {type: X, default: [1, 0x1F, 1.5, \"s\", true, null, {k: v}]}\n"
	f, diags := Load("x.yaml", []byte(src))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	v := f.Queries[0].Args[0].Default
	var kinds []string
	for _, e := range v.List {
		kinds = append(kinds, []string{"null", "bool", "int", "float", "string", "list", "object"}[e.Kind]+"="+e.Scalar)
	}
	want := "int=1 int=31 float=1.5 string=s bool=true null=null object="
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("kinds = %q, want %q", got, want)
	}
}
