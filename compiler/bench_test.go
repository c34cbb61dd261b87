package compiler_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gqlplan/gqlplan/compiler"
	"github.com/gqlplan/gqlplan/decl"
	declyaml "github.com/gqlplan/gqlplan/decl/yaml"
	"github.com/gqlplan/gqlplan/spec"
)

// syntheticDeclarations writes n queries over n object types of five fields
// each, with a filtered argument, an inject rule, ordering and limits, and
// n/10 mutations: the shape of a large real API.
func syntheticDeclarations(n int) []byte {
	var b strings.Builder
	b.WriteString("version: 1\nschema: app\ntypes:\n")
	for i := range n {
		fmt.Fprintf(&b, "  Thing%d:\n    description: Thing number %d.\n    fields:\n      id: ID!\n      title: String!\n      createdAt: DateTime\n      ownerId: {type: UUID!, column: owner}\n      score: Float\n", i, i)
	}
	b.WriteString("queries:\n")
	for i := range n {
		fmt.Fprintf(&b, "  things%d:\n    returns: \"[Thing%d!]!\"\n    sql_source: v_thing_%d\n    args:\n      title: {type: String, filter: {column: title, op: ilike}}\n    inject: {owner: \"jwt:sub\"}\n    order_by: [created_at desc, id]\n    limit: {default: 20, max: 200}\n", i, i, i)
	}
	b.WriteString("mutations:\n")
	for i := range n / 10 {
		fmt.Fprintf(&b, "  createThing%d:\n    returns: Thing%d\n    sql_source: fn_create_thing_%d\n    args: {title: String!, score: {type: Float, default: 0}}\n    inject: {created_by: \"jwt:sub\"}\n", i, i, i)
	}
	return []byte(b.String())
}

// BenchmarkCompile measures the whole compile of one file: YAML decoding,
// every check, SDL printing and the canonical encoding with its hash.
func BenchmarkCompile(b *testing.B) {
	for _, n := range []int{100, 1_000, 10_000} {
		data := syntheticDeclarations(n)
		b.Run(fmt.Sprintf("ops=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				f, diags := declyaml.Load("bench.yaml", data)
				if diags.HasErrors() {
					b.Fatal(diags)
				}
				plan, diags := compiler.Compile([]*decl.File{f})
				if plan == nil {
					b.Fatal(diags)
				}
				if _, err := spec.Encode(plan); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/op-decl")
		})
	}
}

// TestSyntheticDeclarationsCompileClean keeps the benchmark honest: its
// input must compile without diagnostics, or it would measure error paths.
func TestSyntheticDeclarationsCompileClean(t *testing.T) {
	f, diags := declyaml.Load("bench.yaml", syntheticDeclarations(20))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	plan, diags := compiler.Compile([]*decl.File{f})
	if plan == nil || len(diags) > 0 || len(plan.Queries) != 20 || len(plan.Mutations) != 2 {
		t.Fatalf("plan %v, diagnostics %v", plan != nil, diags)
	}
}
