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
	// A column named for what it references, with or without _id.
	columns := []string{"id", "assignee_id", "tenant", "title"}
	for in, want := range map[string]string{
		"assignee":  ` (did you mean "assignee_id"?)`,
		"tenant_id": ` (did you mean "tenant"?)`,
		"titel":     ` (did you mean "title"?)`,
	} {
		if got := DidYouMean(in, columns); got != want {
			t.Errorf("DidYouMean(%q) among columns = %q, want %q", in, got, want)
		}
	}
}

// One problem found once per operation that reaches it is one diagnostic
// naming them all; other diagnostics at the same place stay apart.
func TestDiagnosticsMergeOperations(t *testing.T) {
	at := Range{Filename: "api.yaml", Start: Pos{Line: 4, Column: 7}}
	var ds Diagnostics
	for _, op := range []string{`query "b"`, `query "a"`, `mutation "c"`} {
		ds.Errorf(at, "db-missing-column", `%s: field Issue.assignee: column "assignee" does not exist`, op)
	}
	ds.Errorf(at, "db-type-mismatch", `query "a": field Issue.title is Int`)
	got := ds.Sort().Error()
	want := `api.yaml:4:7: error: mutation "c", query "a", query "b": field Issue.assignee: column "assignee" does not exist [db-missing-column]
api.yaml:4:7: error: query "a": field Issue.title is Int [db-type-mismatch]`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
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
