package e2e

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

type person struct {
	ID         string `json:"id"`
	RowID      int    `json:"rowId"`
	FirstName  string `json:"firstName"`
	FullName   string `json:"fullName"`
	LatestPost *post  `json:"latestPost"`
}

type post struct {
	ID        string  `json:"id"`
	RowID     int     `json:"rowId"`
	AuthorID  int     `json:"authorId"`
	Headline  string  `json:"headline"`
	Body      *string `json:"body"`
	Topic     *string `json:"topic"`
	CreatedAt string  `json:"createdAt"`
	UpdatedAt string  `json:"updatedAt"`
	Author    *person `json:"author"`
}

type connection[T any] struct {
	TotalCount int `json:"totalCount"`
	Edges      []struct {
		Cursor string `json:"cursor"`
		Node   T      `json:"node"`
	} `json:"edges"`
	PageInfo struct {
		HasNextPage bool   `json:"hasNextPage"`
		EndCursor   string `json:"endCursor"`
	} `json:"pageInfo"`
}

// TestForumTutorialStory runs the PostGraphile forum tutorial (seed 001)
// over HTTP against the gqlplan binary, on the example's schema and seed
// data: anonymous reads, registration, login, writing under the grants and
// RLS policies, the current person, a password change, and search with
// cursor pagination.
func TestForumTutorialStory(t *testing.T) {
	s := startExample(t, "forum", "forum_example_gqlplan", "--default-role", "forum_example_anonymous")
	posts := func() string { return s.digest(t, "SELECT * FROM forum_example.post") }

	// Anonymous reads: the seed's people and posts, nested three levels.
	var people connection[person]
	s.post(t, "", `{ allPeople(first: 2, orderBy: [{field: FIRST_NAME}]) { totalCount edges { cursor node { rowId firstName fullName } } pageInfo { hasNextPage endCursor } } }`, nil).
		field(t, "allPeople", &people)
	if people.TotalCount != 12 || len(people.Edges) != 2 || people.Edges[0].Node.FullName != "Amara Okafor" || !people.PageInfo.HasNextPage {
		t.Errorf("allPeople: %+v", people)
	}
	var byID post
	s.post(t, "", `{ postById(id: "`+globalID("Post", 4)+`") { rowId headline author { fullName latestPost { headline author { firstName } } } } }`, nil).field(t, "postById", &byID)
	if byID.Headline != "Why is my query slow?" || byID.Author.FullName != "Amara Okafor" ||
		byID.Author.LatestPost.Headline != "Data contracts between teams" || byID.Author.LatestPost.Author.FirstName != "Amara" {
		t.Errorf("postById: %+v", byID)
	}
	var newest []post
	s.post(t, "", `{ allPosts(limit: 3, topic: SHOWCASE) { rowId topic } }`, nil).field(t, "allPosts", &newest)
	if ids := postIDs(newest); !slices.Equal(ids, []int{31, 26, 22}) {
		t.Errorf("allPosts(topic: SHOWCASE, limit: 3): %v", ids)
	}

	// Register, then log in: a signed token comes back; a wrong password
	// gives null.
	var eve person
	s.post(t, "", `mutation($pw: String!) { registerPerson(firstName: "Eve", lastName: "Example", email: "eve@example.com", password: $pw) { rowId fullName } }`,
		map[string]any{"pw": "first secret"}).field(t, "registerPerson", &eve)
	if eve.RowID != 13 || eve.FullName != "Eve Example" {
		t.Fatalf("registerPerson: %+v", eve)
	}
	login := func(password string) string { return authenticate(t, s, "eve@example.com", password) }
	if login("wrong") != "" {
		t.Error("authenticate with a wrong password gave a token")
	}
	eveToken := login("first secret")
	if eveToken == "" {
		t.Fatal("authenticate gave no token")
	}
	sara := authenticate(t, s, "sara@example.com", "password-sara")
	if sara == "" {
		t.Fatal("a seeded person cannot log in")
	}

	// Writing a post: as Eve it works; anonymously it is denied, as in
	// the tutorial; as Eve with Sara's author id, RLS refuses it.
	create := `mutation($author: Int!) { createPost(authorId: $author, headline: "Hello, forum", body: "My first post.", topic: DISCUSSION) { rowId authorId headline createdAt updatedAt author { fullName } } }`
	var mine post
	s.post(t, eveToken, create, map[string]any{"author": 13}).field(t, "createPost", &mine)
	if mine.RowID != 37 || mine.Author.FullName != "Eve Example" || mine.Headline != "Hello, forum" {
		t.Fatalf("createPost as Eve: %+v", mine)
	}
	before := posts()
	// Only a token opens it: the request is refused whole, as a client's
	// "go and log in" (UNAUTHENTICATED, 401), not FORBIDDEN.
	if r := s.post(t, "", create, map[string]any{"author": 13}); !slices.Equal(r.codes(), []string{"UNAUTHENTICATED"}) || r.status != 401 || r.Data != nil {
		t.Errorf("createPost anonymously: %d %v %s", r.status, r.codes(), r.Data["createPost"])
	}
	if r := s.post(t, eveToken, create, map[string]any{"author": 1}); !slices.Equal(r.codes(), []string{"FORBIDDEN"}) {
		t.Errorf("createPost as Eve with Sara's author id: %d %v", r.status, r.codes())
	}
	if posts() != before {
		t.Error("a refused createPost changed the posts")
	}

	// Update and delete: one's own post changes (and the trigger sets
	// updated_at); another's is not found and nothing changes.
	time.Sleep(10 * time.Millisecond)
	var edited post
	s.post(t, eveToken, `mutation { updatePost(id: "`+globalID("Post", 37)+`", patch: {headline: "Hello again"}) { rowId headline body createdAt updatedAt } }`, nil).field(t, "updatePost", &edited)
	if edited.Headline != "Hello again" || edited.Body == nil || *edited.Body != "My first post." || edited.UpdatedAt <= edited.CreatedAt {
		t.Errorf("updatePost on Eve's post: %+v", edited)
	}
	before = posts()
	for field, m := range map[string]string{
		"updatePost": `mutation { updatePost(id: "` + globalID("Post", 1) + `", patch: {headline: "Hijacked"}) { rowId } }`,
		"deletePost": `mutation { deletePost(id: "` + globalID("Post", 1) + `") { rowId } }`,
	} {
		var p *post
		if s.post(t, eveToken, m, nil).field(t, field, &p); p != nil {
			t.Errorf("%s on Sara's post as Eve: %+v", field, p)
		}
		if r := s.post(t, "", m, nil); !slices.Equal(r.codes(), []string{"UNAUTHENTICATED"}) || r.status != 401 {
			t.Errorf("%s anonymously: %d %v", field, r.status, r.codes())
		}
	}
	if posts() != before {
		t.Error("updating or deleting another's post changed the posts")
	}
	var deleted *post
	s.post(t, eveToken, `mutation { deletePost(id: "`+globalID("Post", 37)+`") { rowId headline } }`, nil).field(t, "deletePost", &deleted)
	if deleted == nil || deleted.RowID != 37 {
		t.Errorf("deletePost on Eve's post: %+v", deleted)
	}
	var gone *post
	s.post(t, "", `{ postById(id: "`+globalID("Post", 37)+`") { rowId } }`, nil).field(t, "postById", &gone)
	if gone != nil {
		t.Errorf("post 37 after deletePost: %+v", gone)
	}

	// currentPerson follows the token.
	for token, want := range map[string]string{eveToken: "Eve Example", sara: "Sara Powell", "": ""} {
		var me *person
		s.post(t, token, `{ currentPerson { fullName } }`, nil).field(t, "currentPerson", &me)
		got := ""
		if me != nil {
			got = me.FullName
		}
		if got != want {
			t.Errorf("currentPerson: %q, want %q", got, want)
		}
	}

	// changePassword: a wrong current password changes nothing; the right
	// one does, and only the new password logs in.
	var changed bool
	s.post(t, eveToken, `mutation { changePassword(currentPassword: "nope", newPassword: "second secret") }`, nil).field(t, "changePassword", &changed)
	if changed || login("first secret") == "" {
		t.Error("changePassword with a wrong current password changed it")
	}
	s.post(t, eveToken, `mutation { changePassword(currentPassword: "first secret", newPassword: "second secret") }`, nil).field(t, "changePassword", &changed)
	if !changed || login("first secret") != "" || login("second secret") == "" {
		t.Errorf("changePassword: changed=%v; the old password must fail and the new one work", changed)
	}
	if r := s.post(t, "", `mutation { changePassword(currentPassword: "a", newPassword: "b") }`, nil); !slices.Equal(r.codes(), []string{"UNAUTHENTICATED"}) {
		t.Errorf("changePassword anonymously: %v", r.codes())
	}

	// searchPosts, the tutorial's "circuit" search, two at a time.
	var found []int
	after := any(nil)
	for page := 0; ; page++ {
		var c connection[post]
		s.post(t, "", `query($after: String) { searchPosts(search: "circuit", first: 2, after: $after) { totalCount edges { cursor node { rowId headline } } pageInfo { hasNextPage endCursor } } }`,
			map[string]any{"after": after}).field(t, "searchPosts", &c)
		if c.TotalCount != 3 || len(c.Edges) == 0 || page > 2 {
			t.Fatalf("searchPosts page %d: %+v", page, c)
		}
		for _, e := range c.Edges {
			found = append(found, e.Node.RowID)
		}
		if !c.PageInfo.HasNextPage {
			break
		}
		after = c.PageInfo.EndCursor
	}
	slices.Sort(found)
	if !slices.Equal(found, []int{2, 14, 26}) {
		t.Errorf("searchPosts pages: %v", found)
	}
}

// authenticate logs in; "" when the password is wrong.
func authenticate(t *testing.T, s *server, email, password string) string {
	t.Helper()
	var token *string
	s.post(t, "", `mutation($email: String!, $pw: String!) { authenticate(email: $email, password: $pw) }`,
		map[string]any{"email": email, "pw": password}).field(t, "authenticate", &token)
	if token == nil {
		return ""
	}
	return *token
}

func postIDs(posts []post) []int {
	var out []int
	for _, p := range posts {
		out = append(out, p.RowID)
	}
	return out
}

// TestMutationPayloadShowsItsWrite selects, under createPost, what the
// new post changes — the author's latest post (a computed field), their
// posts' count (a connection), the post's own relations — and compares
// each with what a query right after reads: the payload is read after
// the function ran, in the same transaction.
func TestMutationPayloadShowsItsWrite(t *testing.T) {
	s := startExample(t, "forum", "forum_example_gqlplan", "--default-role", "forum_example_anonymous")
	sara := authenticate(t, s, "sara@example.com", "password-sara")
	selection := `latestPost { rowId headline } posts { totalCount nodes { rowId } } fullName`
	type person struct {
		LatestPost struct {
			RowID    int    `json:"rowId"`
			Headline string `json:"headline"`
		} `json:"latestPost"`
		Posts struct {
			TotalCount int `json:"totalCount"`
			Nodes      []struct {
				RowID int `json:"rowId"`
			} `json:"nodes"`
		} `json:"posts"`
		FullName string `json:"fullName"`
	}
	for i := range 3 { // a second and third write in a row, prepared statements reused
		var created struct {
			RowID  int    `json:"rowId"`
			Author person `json:"author"`
		}
		s.post(t, sara, `mutation($h: String!) { createPost(authorId: 1, headline: $h) { rowId author { `+selection+` } } }`,
			map[string]any{"h": fmt.Sprintf("write %d", i)}).field(t, "createPost", &created)
		var after person
		s.post(t, sara, `{ personById(id: "`+globalID("Person", 1)+`") { `+selection+` } }`, nil).field(t, "personById", &after)
		if created.Author.LatestPost.RowID != created.RowID || !reflect.DeepEqual(created.Author, after) {
			t.Errorf("write %d: the payload says %+v (new post %d); read right after: %+v", i, created.Author, created.RowID, after)
		}
	}
}
