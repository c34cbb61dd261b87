package nonnull

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// marker is the marker of site n, as sqlgen writes it.
func marker(n int) string { return fmt.Sprintf(`{%q: %d}`, Key, n) }

func TestApply(t *testing.T) {
	sites := []Site{
		{Type: "Post", Field: "title", Up: 1},                                                                 // 0: non-null in a nullable object
		{Type: "Post", Field: "author", Up: 3},                                                                // 1: non-null, in [Post!]! of a non-null root: the data
		{Type: "Post", Field: "status", Enum: "Status", Up: 0},                                                // 2: a nullable enum
		{Type: "Post", Field: "posts", Up: 0, Message: "first must not be negative.", Code: "BAD_USER_INPUT"}, // 3
		{Type: "Post", Field: "body", Up: 0},                                                                  // 4: a null where one may be
		{Type: "Post", Field: "tags", Element: true, Up: 1},                                                   // 5: [String!]: the list nulled
	}
	for _, c := range []struct {
		name, doc, want string
		dataNull        bool
		errors          []string // message @ path
	}{
		{"no marker", `{"a" : 1}`, `{"a" : 1}`, false, nil},
		{"a null in a nullable object",
			`[{"id" : 1, "title" : ` + marker(0) + `}, {"id" : 2, "title" : "x"}]`,
			`[null, {"id" : 2, "title" : "x"}]`, false,
			[]string{"Cannot return null for non-nullable field Post.title. @ [posts 0 title]"}},
		{"a null that reaches the data, its siblings not run",
			`[{"author" : ` + marker(1) + `}, {"author" : ` + marker(1) + `}]`, "", true,
			[]string{"Cannot return null for non-nullable field Post.author. @ [posts 0 author]"}},
		{"an enum label the enum lacks",
			`{"status" : {"` + Key + `": 2, "v": "archived"}}`, `{"status" : null}`, false,
			[]string{`Enum "Status" cannot represent value: "archived" @ [posts status]`}},
		{"an argument error under each parent",
			`[{"posts" : ` + marker(3) + `}, {"posts" : ` + marker(3) + `}]`,
			`[{"posts" : null}, {"posts" : null}]`, false,
			[]string{"first must not be negative. @ [posts 0 posts]", "first must not be negative. @ [posts 1 posts]"}},
		{"a null where one may be: no error", `{"body" : ` + marker(4) + `}`, `{"body" : null}`, false, nil},
		{"a null element: its index in the path, the list null",
			`{"tags" : {"` + Key + `": 5, "i": 2}}`, `{"tags" : null}`, false,
			[]string{"Cannot return null for non-nullable field Post.tags. @ [posts tags 2]"}},
		{"an error whose null an earlier one's contains is kept; a later one inside is not run",
			`{"x" : {"title" : ` + marker(0) + `, "y" : {"title" : ` + marker(0) + `}}}`,
			`{"x" : null}`, false,
			[]string{"Cannot return null for non-nullable field Post.title. @ [posts x title]"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := Apply([]byte(c.doc), sites, []any{"posts"})
			if err != nil {
				t.Fatal(err)
			}
			if string(res.JSON) != c.want || res.DataNull != c.dataNull {
				t.Errorf("got %s (data null %v), want %s (%v)", res.JSON, res.DataNull, c.want, c.dataNull)
			}
			var got []string
			for _, e := range res.Errors {
				got = append(got, fmt.Sprintf("%s @ %v", e.Message, e.Path))
			}
			if strings.Join(got, "\n") != strings.Join(c.errors, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.errors, "\n"))
			}
			if res.JSON != nil && !json.Valid(res.JSON) {
				t.Errorf("not JSON: %s", res.JSON)
			}
		})
	}
	if _, err := Apply([]byte(`{"a" : `+marker(9)+`}`), sites, nil); err == nil {
		t.Error("a marker of no site was read")
	}
}

// FuzzApply: whatever the bytes, Apply never panics, and from valid JSON
// it makes valid JSON (or the value's null) in which no marker is left.
func FuzzApply(f *testing.F) {
	f.Add([]byte(`[{"title" : ` + marker(0) + `}, {"title" : "x"}]`))
	f.Add([]byte(`{"s" : {"` + Key + `": 1, "v": "a"}}`))
	f.Add([]byte(`{"a" : [1, 2, {"b" : null}]}`))
	f.Add([]byte(`"\"` + Key + `\""`))
	sites := []Site{{Type: "T", Field: "f", Up: 1}, {Type: "T", Field: "e", Enum: "E"}}
	f.Fuzz(func(t *testing.T, doc []byte) {
		res, err := Apply(doc, sites, []any{"root"})
		if err != nil || !json.Valid(doc) || res.JSON == nil {
			return
		}
		if !json.Valid(res.JSON) {
			t.Fatalf("%s → %s, not JSON", doc, res.JSON)
		}
		var v any
		_ = json.Unmarshal(res.JSON, &v)
		if hasMarker(v) {
			t.Errorf("a marker survived: %s → %s", doc, res.JSON)
		}
	})
}

func hasMarker(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v[Key]; ok {
			return true
		}
		for _, e := range v {
			if hasMarker(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if hasMarker(e) {
				return true
			}
		}
	}
	return false
}
