package decl

import "testing"

func TestDidYouMean(t *testing.T) {
	keys := []string{"description", "returns", "sql_source", "source_kind", "inject"}
	tests := map[string]string{
		"sql_sorce":   ` (did you mean "sql_source"?)`,
		"retruns":     ` (did you mean "returns"?)`, // transposition
		"Inject":      ` (did you mean "inject"?)`,  // case
		"descripton":  ` (did you mean "description"?)`,
		"subscribers": "",
		"x":           "",
	}
	for in, want := range tests {
		if got := DidYouMean(in, keys); got != want {
			t.Errorf("DidYouMean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDiagnosticsSortIsTotalAndDeduplicates(t *testing.T) {
	at := func(file string, line, col int) Range {
		return Range{Filename: file, Start: Pos{Line: line, Column: col}}
	}
	ds := Diagnostics{
		{Severity: Error, Code: "b", Message: "m", Range: at("b.yaml", 1, 1)},
		{Severity: Warning, Code: "a", Message: "m", Range: at("a.yaml", 2, 1)},
		{Severity: Error, Code: "a", Message: "m", Range: at("a.yaml", 2, 1)},
		{Severity: Error, Code: "a", Message: "m", Range: at("a.yaml", 2, 1)},
		{Severity: Error, Code: "c", Message: "m", Range: at("a.yaml", 1, 9)},
	}.Sort()
	want := []string{
		"a.yaml:1:9: error: m [c]",
		"a.yaml:2:1: error: m [a]",
		"a.yaml:2:1: warning: m [a]",
		"b.yaml:1:1: error: m [b]",
	}
	if len(ds) != len(want) {
		t.Fatalf("got %d diagnostics, want %d:\n%v", len(ds), len(want), ds)
	}
	for i, d := range ds {
		if d.String() != want[i] {
			t.Errorf("[%d] = %q, want %q", i, d.String(), want[i])
		}
	}
}
