package spec

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
		got, err := ParseTypeRef(in)
		if err != nil || got.String() != want {
			t.Errorf("ParseTypeRef(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "!", "[Post!", "Post]", "[]", "ID!!", "9ID", "[ID]]", "Post Comment", "[[[[[[[[[[X]]]]]]]]]]", "ID?"} {
		if got, err := ParseTypeRef(in); err == nil {
			t.Errorf("ParseTypeRef(%q) = %v, want an error", in, got)
		}
	}
}
