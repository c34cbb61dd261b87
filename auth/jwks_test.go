package auth_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/internal/authtest"
)

func claims() jwt.MapClaims {
	return jwt.MapClaims{"role": "member", "exp": time.Now().Add(time.Hour).Unix()}
}

func verifier(t *testing.T, cfg auth.Config) *auth.Verifier {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel) // stops the JWKS refresh
	v, err := auth.NewVerifier(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func accepted(v *auth.Verifier, token string) bool {
	_, err := v.Verify(context.Background(), "Bearer "+token)
	return err == nil
}

func TestJWKSKeyRotation(t *testing.T) {
	oldKey, newKey := authtest.NewRSA(t, "old"), authtest.NewEC(t, "new")
	keys := authtest.NewKeyServer(t, oldKey)
	v := verifier(t, auth.Config{JWKS: &auth.JWKS{URL: keys.URL(), Refresh: 100 * time.Millisecond, UnknownKIDInterval: time.Hour}})
	oldToken, newToken := oldKey.Sign(t, claims()), newKey.Sign(t, claims())
	if !accepted(v, oldToken) || accepted(v, newToken) {
		t.Fatal("before rotation: the old key must verify, the new one not")
	}
	keys.Serve(authtest.JWKS(t, newKey))
	deadline := time.Now().Add(5 * time.Second)
	for accepted(v, oldToken) || !accepted(v, newToken) {
		if time.Now().After(deadline) {
			t.Fatalf("after rotation and refresh: old accepted %v, new accepted %v", accepted(v, oldToken), accepted(v, newToken))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestJWKSUnknownKIDRefreshesAtOnceThenIsRateLimited(t *testing.T) {
	known, rotated := authtest.NewRSA(t, "k1"), authtest.NewRSA(t, "k2")
	keys := authtest.NewKeyServer(t, known)
	v := verifier(t, auth.Config{JWKS: &auth.JWKS{URL: keys.URL(), Refresh: time.Hour, UnknownKIDInterval: time.Hour}})
	if n := keys.Fetches.Load(); n != 1 {
		t.Fatalf("%d fetches at start, want 1", n)
	}
	// A key published after the last fetch is found by one early fetch.
	keys.Serve(authtest.JWKS(t, known, rotated))
	if !accepted(v, rotated.Sign(t, claims())) {
		t.Fatal("a token of a newly published key is refused")
	}
	if n := keys.Fetches.Load(); n != 2 {
		t.Fatalf("%d fetches after one unknown kid, want 2", n)
	}
	// A burst of forged kids costs no more fetches in this window, and no
	// request waits for the limiter.
	forger := authtest.NewRSA(t, "")
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims())
			tok.Header["kid"] = "forged-" + strings.Repeat("x", i%7)
			s, _ := tok.SignedString(forger.Signer)
			if accepted(v, s) {
				t.Error("a forged kid was accepted")
			}
		}()
	}
	wg.Wait()
	if n := keys.Fetches.Load(); n != 2 {
		t.Errorf("%d fetches after a burst of 200 unknown kids, want still 2", n)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the burst took %v: requests waited for the limiter", d)
	}
}

func TestJWKSServerDownAtStartAndOversizedSets(t *testing.T) {
	key := authtest.NewRSA(t, "k1")
	// Nothing listens: the verifier still starts, and refuses tokens.
	v := verifier(t, auth.Config{JWKS: &auth.JWKS{URL: "http://127.0.0.1:1/jwks.json", Timeout: time.Second}})
	if accepted(v, key.Sign(t, claims())) {
		t.Error("accepted a token with no keys loaded")
	}
	// A key server answering megabytes is cut off at MaxBytes.
	keys := authtest.NewKeyServer(t, key)
	keys.Serve([]byte(`{"keys":[` + strings.Repeat(" ", 4<<20) + `]}`))
	v = verifier(t, auth.Config{JWKS: &auth.JWKS{URL: keys.URL(), MaxBytes: 64 << 10, UnknownKIDInterval: time.Hour}})
	if accepted(v, key.Sign(t, claims())) {
		t.Error("accepted a token although the key set was oversized")
	}
}

func TestJWKSFileAndSignerKeys(t *testing.T) {
	keys := []*authtest.Key{authtest.NewRSA(t, "rsa"), authtest.NewEC(t, "ec"), authtest.NewEd25519(t, "ed")}
	dir := t.TempDir()
	set := filepath.Join(dir, "jwks.json")
	if err := os.WriteFile(set, authtest.JWKS(t, keys...), 0o600); err != nil {
		t.Fatal(err)
	}
	v := verifier(t, auth.Config{JWKS: &auth.JWKS{File: set}, Issuer: "gqlplan", Audience: "api"})
	for _, k := range keys {
		// Tokens the server issues with a private key verify with its JWKS.
		file := filepath.Join(dir, k.ID+".pem")
		if err := os.WriteFile(file, k.PEM(t), 0o600); err != nil {
			t.Fatal(err)
		}
		signer, err := auth.NewSigner(auth.SignerConfig{PrivateKeyFile: file, KeyID: k.ID, Issuer: "gqlplan", Audience: "api"})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := signer.Sign(map[string]any{"role": "member"})
		if err != nil {
			t.Fatal(err)
		}
		who, e := v.Verify(context.Background(), "Bearer "+tok)
		if e != nil || who.Role != "member" {
			t.Errorf("%s: %v %v", k.ID, who, e)
		}
		parsed, _, _ := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
		if parsed.Header["alg"] != k.Method.Alg() {
			t.Errorf("%s: signed with %v, want %s", k.ID, parsed.Header["alg"], k.Method.Alg())
		}
	}
	if v.Algorithms()[0] != "ES256" || len(v.Algorithms()) != 10 {
		t.Errorf("a JWKS allows %v", v.Algorithms())
	}
}

func TestConfigurationErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  auth.Config
		want string
	}{
		{"short secret", auth.Config{Secret: []byte("short")}, "at least 32"},
		{"URL and file", auth.Config{JWKS: &auth.JWKS{URL: "http://x/", File: "f"}}, "not both"},
		{"missing file", auth.Config{JWKS: &auth.JWKS{File: "/nonexistent/jwks.json"}}, "read JWKS"},
		{"bad role path", auth.Config{RoleClaim: `a."b`}, "not closed"},
		{"empty path step", auth.Config{RoleClaim: "a..b"}, "empty"},
		{"bad index", auth.Config{RoleClaim: "roles[x]"}, "index"},
	} {
		_, err := auth.NewVerifier(context.Background(), c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, err := auth.NewSigner(auth.SignerConfig{}); err == nil {
		t.Error("a signer without a key")
	}
}

func TestRoleClaimPaths(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	token := func(c jwt.MapClaims) string {
		c["exp"] = time.Now().Add(time.Hour).Unix()
		s, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
		return s
	}
	nested := jwt.MapClaims{"https://example.com/claims": map[string]any{"roles": []any{"editor", "viewer"}}, "app": map[string]any{"role": "admin"}}
	for _, c := range []struct{ path, want string }{
		{"app.role", "admin"},
		{`"https://example.com/claims".roles[1]`, "viewer"},
		{"missing.role", "anon"},
	} {
		v := verifier(t, auth.Config{Secret: secret, RoleClaim: c.path, DefaultRole: "anon"})
		who, e := v.Verify(context.Background(), "Bearer "+token(nested))
		if e != nil || who.Role != c.want {
			t.Errorf("%s: %q %v", c.path, who.Role, e)
		}
	}
	v := verifier(t, auth.Config{Secret: secret, AllowedRoles: []string{"member"}})
	if _, e := v.Verify(context.Background(), "Bearer "+token(jwt.MapClaims{"role": "admin"})); e == nil || e.Status != http.StatusForbidden {
		t.Errorf("a role outside --allowed-roles: %v", e)
	}
}
