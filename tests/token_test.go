package tests

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/internal/authtest"
)

func TestTokenCommand(t *testing.T) {
	const secret = "token-command-secret-0123456789abcdef"
	code, stdout, stderr := run(t, "", "token", "--secret", secret, "--claims", `{"role":"forum_example_person","person_id":1}`, "--expires", "2h", "--audience", "api")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	v, err := auth.NewVerifier(context.Background(), auth.Config{Secret: []byte(secret), Audience: "api"})
	if err != nil {
		t.Fatal(err)
	}
	who, e := v.Verify(context.Background(), "Bearer "+strings.TrimSpace(stdout))
	if e != nil || who.Role != "forum_example_person" || who.Claims["person_id"] == nil {
		t.Fatalf("the minted token: %v %v", who, e)
	}
	exp, _ := who.Claims["exp"].(interface{ Int64() (int64, error) })
	if n, _ := exp.Int64(); time.Until(time.Unix(n, 0)) < 119*time.Minute {
		t.Errorf("exp %v is not 2h away", who.Claims["exp"])
	}

	// A private key signs with the algorithm its type names.
	key := authtest.NewEd25519(t, "ed-1")
	pem := filepath.Join(t.TempDir(), "key.pem")
	os.WriteFile(pem, key.PEM(t), 0o600)
	jwks := filepath.Join(t.TempDir(), "jwks.json")
	os.WriteFile(jwks, authtest.JWKS(t, key), 0o600)
	code, stdout, stderr = run(t, "", "token", "--private-key", pem, "--key-id", "ed-1", "--claims", `{"role":"r"}`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	v, _ = auth.NewVerifier(context.Background(), auth.Config{JWKS: &auth.JWKS{File: jwks}})
	if who, e := v.Verify(context.Background(), "Bearer "+strings.TrimSpace(stdout)); e != nil || who.Role != "r" {
		t.Errorf("EdDSA token: %v %v", who, e)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "--secret", "short", "--claims", "{}"}, "at least 32"},
		{[]string{"token", "--secret", secret, "--claims", "[1]"}, "one JSON object"},
		{[]string{"token", "--secret", secret, "--claims", "{} {}"}, "one JSON object"},
		{[]string{"token", "--claims", "{}"}, "no signing key"},
		{[]string{"token", "--private-key", jwks}, "not a PEM"},
	} {
		code, _, stderr := run(t, "", c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Contains(stderr, secret) {
			t.Errorf("%v: exit %d, %q", c.args, code, stderr)
		}
	}
}
