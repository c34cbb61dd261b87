package auth_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/internal/authtest"
)

// FuzzVerify feeds Authorization headers to a verifier with a secret:
// it must never panic, refuse with 401 or 403 only, never echo the token,
// and accept only tokens its secret signed.
func FuzzVerify(f *testing.F) {
	secret := []byte("fuzz-secret-0123456789abcdef-0123456789")
	now := time.Unix(1_800_000_000, 0)
	sign := func(c jwt.MapClaims) string {
		s, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
		return s
	}
	valid := sign(jwt.MapClaims{"role": "member", "exp": now.Unix() + 60, "person_id": 1})
	f.Add("Bearer " + valid)
	f.Add("bearer " + valid)
	f.Add("Bearer " + authtest.Tamper(valid))
	f.Add("Bearer " + sign(jwt.MapClaims{"role": []any{"a"}, "exp": now.Unix() + 60}))
	f.Add("Bearer " + sign(jwt.MapClaims{"exp": "soon"}))
	f.Add("Bearer " + sign(jwt.MapClaims{"exp": now.Unix() + 60, "nbf": now.Unix() + 3600}))
	f.Add("Bearer " + authtest.Forge(map[string]any{"alg": "none", "typ": "JWT"}, map[string]any{"role": "admin", "exp": now.Unix() + 60}, nil))
	f.Add("Bearer " + authtest.Forge(map[string]any{"alg": "HS256", "crit": []any{"exp"}}, map[string]any{"exp": now.Unix() + 60}, authtest.HMAC(secret)))
	f.Add("Bearer " + authtest.Forge(map[string]any{"alg": "HS256"}, map[string]any{"exp": now.Unix() + 60, "x": "a\x00b"}, authtest.HMAC(secret)))
	f.Add("Basic dXNlcjpwYXNz")
	f.Add("Bearer a.b.c")
	f.Add("Bearer " + strings.Repeat("A", 9000))
	v, err := auth.NewVerifier(context.Background(), auth.Config{Secret: secret, Now: func() time.Time { return now }, RoleClaim: "app.roles[0]"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, header string) {
		who, e := v.Verify(context.Background(), header)
		if e != nil {
			if e.Status != http.StatusUnauthorized && e.Status != http.StatusForbidden {
				t.Fatalf("status %d", e.Status)
			}
			if _, token, _ := strings.Cut(header, " "); len(token) >= 16 && strings.Contains(e.Message, token) {
				t.Fatalf("the error echoes the token: %s", e.Message)
			}
			return
		}
		if header == "" {
			return
		}
		// Accepted: re-verify the signature independently.
		_, token, _ := strings.Cut(header, " ")
		if _, err := jwt.NewParser(jwt.WithValidMethods([]string{"HS256", "HS384", "HS512"}), jwt.WithTimeFunc(func() time.Time { return now })).
			Parse(strings.TrimSpace(token), func(*jwt.Token) (any, error) { return secret, nil }); err != nil {
			t.Fatalf("accepted a token golang-jwt refuses (%v): claims %v", err, who.Claims)
		}
	})
}
