package e2e

import (
	"slices"
	"strings"
	"testing"
)

// TestNestedListsAreRefusedByCost: page caps bound each list alone, and
// nested lists multiply; the cost limit refuses, before any SQL, the
// 240-byte query that returned 253 MB (issue 22), with its figure, and
// serves a deep query of small pages.
func TestNestedListsAreRefusedByCost(t *testing.T) {
	s := startExample(t, "forum", "forum_example_gqlplan", "--default-role", "forum_example_anonymous")
	bomb := `{ allPosts(limit: 100) { author { posts(first: 100) { nodes { author { posts(first: 100) { nodes { id headline } } } } } } } }`
	r := s.post(t, "", bomb, nil)
	// Three pages of 100: the deepest is the one named to shrink.
	if r.status != 400 || !slices.Equal(r.codes(), []string{"COST_TOO_HIGH"}) || !strings.Contains(r.Errors[0].Message, "more than the 100000") ||
		!strings.Contains(r.Errors[0].Message, "the largest factor is allPosts.author.posts.nodes.author.posts, up to 100 rows") {
		t.Fatalf("nested pages of 100: %d %+v", r.status, r.Errors)
	}
	if r := s.post(t, "", `{ allPosts(limit: 5) { author { posts(first: 3) { nodes { author { posts(first: 2) { nodes { id headline } } } } } } } }`, nil); len(r.Errors) > 0 {
		t.Errorf("small nested pages: %+v", r.Errors)
	}
}
