package runtime_test

import (
	"encoding/json"
	"testing"
)

// eventRows is the size of the table keyset pagination is measured on.
const eventRows = 100_000

// newEventServer is a server whose shop.event table holds eventRows rows,
// analyzed.
func newEventServer(t testing.TB) *server {
	s := newServer(t, serverOptions{})
	if _, err := s.admin.Exec(t.Context(), `
		INSERT INTO shop.event (at, kind)
		SELECT timestamptz '2024-01-01 00:00:00+00' + (i / 3) * interval '1 minute', 'k' || (i % 7)
		FROM generate_series(1, $1) i`, eventRows); err != nil {
		t.Fatal(err)
	}
	if _, err := s.admin.Exec(t.Context(), `ANALYZE shop.event`); err != nil {
		t.Fatal(err)
	}
	return s
}

// deepCursor is the cursor of the row with id from, in the order orderBy.
func deepCursor(t testing.TB, s *server, orderBy string, from int) string {
	var out struct {
		Events struct{ PageInfo struct{ EndCursor string } }
	}
	q := `query($id: Int) { events(first: 1, orderBy: ` + orderBy + `, where: {id: {eq: $id}}) { pageInfo { endCursor } } }`
	if err := json.Unmarshal([]byte(s.query(q, map[string]any{"id": from}, "")), &out); err != nil {
		t.Fatal(err)
	}
	return out.Events.PageInfo.EndCursor
}

// planFacts are what EXPLAIN (ANALYZE, BUFFERS) says about a statement.
type planFacts struct {
	nodes   map[string]bool // node types, with direction and index name for index scans
	buffers float64         // shared blocks hit or read, whole statement
	ms      float64         // execution time
}

func explain(t testing.TB, s *server, sql string, args []any) planFacts {
	var raw []byte
	if err := s.admin.QueryRow(t.Context(), "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "+sql, args...).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var out []struct {
		Plan          map[string]any
		ExecutionTime float64 `json:"Execution Time"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	facts := planFacts{nodes: map[string]bool{}, ms: out[0].ExecutionTime}
	facts.buffers, _ = out[0].Plan["Shared Hit Blocks"].(float64)
	read, _ := out[0].Plan["Shared Read Blocks"].(float64)
	facts.buffers += read
	var walk func(n map[string]any)
	walk = func(n map[string]any) {
		kind, _ := n["Node Type"].(string)
		if n["Scan Direction"] == "Backward" {
			kind += " Backward"
		}
		if index, ok := n["Index Name"].(string); ok {
			kind += " " + index
		}
		facts.nodes[kind] = true
		children, _ := n["Plans"].([]any)
		for _, c := range children {
			walk(c.(map[string]any))
		}
	}
	walk(out[0].Plan)
	return facts
}

// A page deep into a large table costs what the first page does: the
// cursor becomes a row comparison an index seeks to, not an OFFSET.
func TestKeysetPaginationSeeksTheIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a 100,000-row table")
	}
	s := newEventServer(t)
	for _, c := range []struct {
		name, orderBy, index string
	}{
		{"by the key", `[]`, "Index Scan event_pkey"},
		{"by a column, then the key", `[{field: AT}]`, "Index Scan event_at_id"},
		{"descending", `[{field: AT, direction: DESC}]`, "Index Scan Backward event_at_id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			page := `query($c: String) { events(first: 20, after: $c, orderBy: ` + c.orderBy + `) { edges { cursor node { id at kind } } pageInfo { hasNextPage endCursor } } }`
			var facts [2]planFacts
			for i, after := range []any{nil, deepCursor(t, s, c.orderBy, eventRows*9/10)} {
				stmts, err := s.handler.Compose(page, map[string]any{"c": after}, nil)
				if err != nil {
					t.Fatal(err)
				}
				facts[i] = explain(t, s, stmts[0].SQL, stmts[0].Args)
				if facts[i].nodes["Sort"] || !hasIndexScan(facts[i].nodes, c.index) {
					t.Errorf("page %d: want %s and no Sort, plan has %v", i, c.index, facts[i].nodes)
				}
			}
			first, deep := facts[0], facts[1]
			t.Logf("%d rows, 20 per page: first page %.0f buffers %.3f ms; page at row %d: %.0f buffers %.3f ms",
				eventRows, first.buffers, first.ms, eventRows*9/10, deep.buffers, deep.ms)
			offset := explain(t, s, "SELECT id FROM shop.event ORDER BY at, id OFFSET $1 LIMIT 20", []any{eventRows * 9 / 10})
			t.Logf("for comparison, OFFSET %d LIMIT 20: %.0f buffers %.3f ms", eventRows*9/10, offset.buffers, offset.ms)
			// Buffers, not time: the same work reads the same pages.
			if deep.buffers > 2*first.buffers+8 {
				t.Errorf("the deep page reads %.0f buffers, the first %.0f", deep.buffers, first.buffers)
			}
		})
	}
}

func hasIndexScan(nodes map[string]bool, want string) bool {
	return nodes[want] || nodes["Index Only Scan"+want[len("Index Scan"):]]
}

// BenchmarkKeysetPage serves a 20-row page of a 100,000-row table through
// the handler, at the start and 90% of the way in.
func BenchmarkKeysetPage(b *testing.B) {
	s := newEventServer(b)
	page := `query($c: String) { events(first: 20, after: $c, orderBy: [{field: AT}]) { edges { node { id at kind } } pageInfo { hasNextPage endCursor } } }`
	for _, c := range []struct {
		name string
		from int
	}{{"first", 0}, {"row90000", eventRows * 9 / 10}} {
		var after any
		if c.from > 0 {
			after = deepCursor(b, s, `[{field: AT}]`, c.from)
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				s.query(page, map[string]any{"c": after}, "")
			}
		})
	}
}
