package compiler

import "testing"

func TestParseTypeRef(t *testing.T) {
	valid := map[string]string{
		"ID":             "ID",
		"ID!":            "ID!",
		"[Post!]!":       "[Post!]!",
		" [ Post ! ] ! ": "[Post!]!",
		"[[Int]]":        "[[Int]]",
		"_x9":            "_x9",
	}
	for in, want := range valid {
		got, err := parseTypeRef(in)
		if err != nil || got.String() != want {
			t.Errorf("parseTypeRef(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "!", "[Post!", "Post]", "[]", "ID!!", "9ID", "[ID]]", "Post Comment", "[[[[[[[[[[X]]]]]]]]]]", "ID?"} {
		if got, err := parseTypeRef(in); err == nil {
			t.Errorf("parseTypeRef(%q) = %v, want an error", in, got)
		}
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"id": "id", "createdAt": "created_at", "userID": "user_id", "HTMLBody": "html_body",
		"personFullName": "person_full_name", "already_snake": "already_snake", "x1Y": "x1_y",
	} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseOrderTerm(t *testing.T) {
	ok := map[string]string{"id": "id", "created_at DESC": "created_at desc", "x asc nulls FIRST": "x nulls first", "y desc nulls last": "y desc nulls last"}
	for in, want := range ok {
		term, err := parseOrderTerm(in)
		if err != nil {
			t.Errorf("parseOrderTerm(%q): %v", in, err)
			continue
		}
		got := term.Column
		if term.Descending {
			got += " desc"
		}
		if term.Nulls != "" {
			got += " nulls " + term.Nulls
		}
		if got != want {
			t.Errorf("parseOrderTerm(%q) = %q, want %q", in, got, want)
		}
	}
	for _, in := range []string{"", "a b", "a desc nulls", "a nulls middle", "a desc asc"} {
		if _, err := parseOrderTerm(in); err == nil {
			t.Errorf("parseOrderTerm(%q) succeeded, want an error", in)
		}
	}
}
