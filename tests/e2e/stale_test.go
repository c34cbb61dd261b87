package e2e

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestServeRefusesAStalePlan: serve verifies at start what the plan
// recorded of the catalog, and refuses a plan the database no longer
// matches — a renamed column, a dropped function, a changed column type,
// a revoked grant —
// with the problems listed; `check --plan` reports the same; a current
// plan starts (every other e2e test), and --skip-catalog-check starts
// anyway.
func TestServeRefusesAStalePlan(t *testing.T) {
	admin, login, plan := compileExample(t, "forum", "forum_example_gqlplan")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := connect(t, admin)
	if _, err := conn.Exec(ctx, `
		ALTER TABLE forum_example.post RENAME COLUMN headline TO title;
		DROP FUNCTION forum_example.search_posts(text);
		ALTER TABLE forum_example.person ALTER COLUMN about TYPE varchar(500);
		REVOKE EXECUTE ON FUNCTION forum_example.change_password(text, text) FROM forum_example_person`); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`query "allPosts" reads column headline of "forum_example"."post", which does not exist`,
		`query "searchPosts" calls "forum_example"."search_posts"(text), which does not exist`,
		`query "allPeople" reads column about of "forum_example"."person" as text, but it is character varying(500)`,
		`mutation "changePassword" may be called as role "forum_example_person", which may not EXECUTE "forum_example"."change_password"(text, text)`,
		"[stale-plan]",
	}
	start := time.Now()
	out, err := exec.Command(binary, "serve", "--plan", plan, "--database-url", login, "--listen", "127.0.0.1:0", "--jwt-secret", secret).CombinedOutput()
	t.Logf("serve refused in %v", time.Since(start))
	if code := exitCode(err); code != 2 {
		t.Fatalf("serve on a stale plan: exit %d\n%s", code, out)
	}
	for _, w := range want {
		if !strings.Contains(string(out), w) {
			t.Errorf("serve's refusal lacks %q:\n%s", w, out)
		}
	}
	out, err = exec.Command(binary, "check", "--plan", plan, "--database-url", login).CombinedOutput()
	if code := exitCode(err); code != 1 {
		t.Fatalf("check --plan on a stale plan: exit %d\n%s", code, out)
	}
	for _, w := range want {
		if !strings.Contains(string(out), w) {
			t.Errorf("check --plan lacks %q:\n%s", w, out)
		}
	}
	s := serve(t, admin, login, plan, "--skip-catalog-check", "--default-role", "forum_example_anonymous")
	if r := s.post(t, "", `{ personById(id: "`+globalID("Person", 1)+`") { id } }`, nil); len(r.Errors) > 0 {
		t.Errorf("what still matches is served: %+v", r.Errors)
	}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if e, ok := err.(*exec.ExitError); ok {
		return e.ExitCode()
	}
	return -1
}

// TestOperationsRefuseOtherRoles: an operation that lists its roles is
// refused to a request of another role with FORBIDDEN, before any SQL;
// to one without a token, which a token could open, with
// UNAUTHENTICATED (401).
func TestOperationsRefuseOtherRoles(t *testing.T) {
	s := startExample(t, "forum", "forum_example_gqlplan", "--default-role", "forum_example_anonymous")
	person, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"role": "forum_example_person", "person_id": 1, "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		token, query, code, message string
		status                      int
	}{
		{"", `mutation { changePassword(currentPassword: "a", newPassword: "b") }`, "UNAUTHENTICATED", "requires authentication: send a bearer token", 401},
		{"", `mutation { deletePost(id: "` + globalID("Post", 1) + `") { id } }`, "UNAUTHENTICATED", "requires authentication: send a bearer token", 401},
		{person, `mutation { registerPerson(firstName: "X", lastName: "Y", email: "x@example.com", password: "pw") { id } }`, "FORBIDDEN", "may not be called with the role of this request", 200},
	} {
		r := s.post(t, c.token, c.query, nil)
		if len(r.Errors) != 1 || r.status != c.status || r.Errors[0].Extensions.Code != c.code || !strings.Contains(r.Errors[0].Message, c.message) {
			t.Errorf("%s: %d %+v", c.query, r.status, r.Errors)
		}
	}
}
