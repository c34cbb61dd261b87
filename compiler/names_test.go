package compiler

import "testing"

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
