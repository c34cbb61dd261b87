package compiler

import "testing"

func TestArticle(t *testing.T) {
	for name, want := range map[string]string{
		"Issue": "An", "Order": "An", "Event": "An", "Account": "An", "Item": "An",
		"Post": "A", "Person": "A", "User": "A", "Unit": "A", "Usage": "A",
		"Update": "An", "Upload": "An", "Umbrella": "An", "": "A",
	} {
		if got := article(name); got != want {
			t.Errorf("article(%q) = %q, want %q", name, got, want)
		}
	}
}
