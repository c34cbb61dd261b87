package e2e

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gqlplan/gqlplan/internal/pgcluster"
	"github.com/gqlplan/gqlplan/internal/pgtest"
)

// TestReadmeAuthenticatorSetup runs the README's authenticator setup
// verbatim (its SQL block, a password in place of '…'), then check,
// compile and serve connected as that authenticator — which reads nothing
// itself, not even the API's schema — and answers a request. Revoking a
// grant the API needs makes /readyz not ready, naming the GRANT that
// fixes it; granting it back makes it ready again.
func TestReadmeAuthenticatorSetup(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)\\*\\*Roles\\.\\*\\*.*?```sql\n(.*?)```").FindSubmatch(readme)
	if block == nil {
		t.Fatal("the README has no SQL block under **Roles.**")
	}
	setup := strings.ReplaceAll(string(block[1]), "'…'", "'password-authenticator'")
	admin := pgtest.Database(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := connect(t, admin)
	if _, err := conn.Exec(ctx, setup); err != nil {
		t.Fatalf("the README's setup: %v\n%s", err, setup)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		c := connect(t, admin)
		_, _ = c.Exec(ctx, "DROP SCHEMA tracker CASCADE; DROP OWNED BY api_authenticator, api_anonymous, api_person; DROP ROLE api_authenticator, api_anonymous, api_person")
	})
	dir := "testdata/authenticator"
	if err := pgcluster.ApplySQLFiles(ctx, admin, dir); err != nil {
		t.Fatal(err)
	}
	login, err := pgtest.WithUser(admin, "api_authenticator")
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(binary, "check", dir, "--database-url", login, "--strict-rls").CombinedOutput(); err != nil {
		t.Fatalf("check as the authenticator: %v\n%s", err, out)
	}
	plan := t.TempDir() + "/plan.json"
	if out, err := exec.Command(binary, "compile", dir, "-o", plan, "--database-url", login).CombinedOutput(); err != nil {
		t.Fatalf("compile as the authenticator: %v\n%s", err, out)
	}
	if out, err := exec.Command(binary, "check", "--plan", plan, "--database-url", login).CombinedOutput(); err != nil {
		t.Fatalf("check --plan as the authenticator: %v\n%s", err, out)
	}
	s := serve(t, admin, login, plan, "--default-role", "api_anonymous")
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"role": "api_person", "tenant": 1, "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	r := s.post(t, tok, `{ issues { id title shout } searchIssues(q: "e") { id } labels { name } }`, nil)
	if len(r.Errors) > 0 || string(r.Data["issues"]) != `[{"id" : 1, "title" : "Fuel leak", "shout" : "FUEL LEAK"}]` || string(r.Data["searchIssues"]) != `[{"id" : 1}]` ||
		string(r.Data["labels"]) != `[{"name" : "bug"}]` {
		t.Fatalf("a request as api_person: %+v %s %s %s", r.Errors, r.Data["issues"], r.Data["searchIssues"], r.Data["labels"])
	}

	base := strings.TrimSuffix(s.url, "/graphql")
	for _, c := range []struct{ revoke, grant, want string }{
		{`REVOKE SELECT ON tracker.issue FROM api_person`, `GRANT SELECT ON tracker.issue TO api_person`,
			`GRANT SELECT ON "tracker"."issue" TO "api_person"`},
		{`REVOKE EXECUTE ON FUNCTION tracker.search_issues(text) FROM api_person`, `GRANT EXECUTE ON FUNCTION tracker.search_issues(text) TO api_person`,
			`GRANT EXECUTE ON FUNCTION "tracker"."search_issues"(text) TO "api_person"`},
		{`REVOKE USAGE ON SCHEMA tracker FROM api_person`, `GRANT USAGE ON SCHEMA tracker TO api_person`,
			`GRANT USAGE ON SCHEMA "tracker" TO "api_person"`},
		// Read through a security_invoker view, as the caller.
		{`REVOKE SELECT ON tracker.label FROM api_person`, `GRANT SELECT ON tracker.label TO api_person`,
			`query "labels" reads "tracker"."label" through view "tracker"."v_label" as role "api_person", which may not SELECT from "tracker"."label": GRANT SELECT ON "tracker"."label" TO "api_person"`},
	} {
		if _, err := conn.Exec(ctx, c.revoke); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "/readyz to say not ready after "+c.revoke, func() bool { return statusOf(t, base+"/readyz") == 503 })
		out, err := exec.Command(binary, "check", "--plan", plan, "--database-url", login).CombinedOutput()
		if exitCode(err) != 1 || !strings.Contains(string(out), c.want) {
			t.Errorf("check --plan after %s: exit %d, want the fix %q:\n%s", c.revoke, exitCode(err), c.want, out)
		}
		if _, err := conn.Exec(ctx, c.grant); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "/readyz to say ready after "+c.grant, func() bool { return statusOf(t, base+"/readyz") == 200 })
	}
}
