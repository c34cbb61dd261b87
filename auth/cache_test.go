package auth

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// A remembered token answers as verifying it again would: accepted with
// the same identity until its exp, refused after it; refusals are not
// remembered.
func TestAcceptedTokensAnswerAsVerification(t *testing.T) {
	secret := []byte("cache-secret-0123456789abcdef-0123456789")
	now := time.Unix(1_800_000_000, 0)
	v, err := NewVerifier(context.Background(), Config{Secret: secret, Leeway: -1, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	sign := func(claims jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	good := sign(jwt.MapClaims{"role": "member", "sub": "7", "exp": now.Add(10 * time.Second).Unix()})
	for range 2 {
		who, e := v.Verify(context.Background(), "Bearer "+good)
		if e != nil || who.Role != "member" || who.Claims["sub"] != "7" {
			t.Fatalf("accepted token: %+v %v", who, e)
		}
		if want := fmt.Sprintf(`{"exp":%d,"role":"member","sub":"7"}`, now.Add(10*time.Second).Unix()); who.ClaimsJSON != want {
			t.Errorf("claims as JSON: %s, want %s", who.ClaimsJSON, want)
		}
	}
	if n := v.accepted.tokens.Len(); n != 1 {
		t.Fatalf("%d tokens remembered, want 1", n)
	}
	forged := good[:len(good)-2] + "xx"
	if _, e := v.Verify(context.Background(), "Bearer "+forged); e == nil {
		t.Fatal("a forged signature is accepted")
	}
	if n := v.accepted.tokens.Len(); n != 1 {
		t.Errorf("%d tokens remembered after a refusal, want 1", n)
	}
	now = now.Add(11 * time.Second)
	if _, e := v.Verify(context.Background(), "Bearer "+good); e == nil {
		t.Fatal("a remembered token is accepted after its exp")
	}

	off, err := NewVerifier(context.Background(), Config{Secret: secret, CacheTokens: -1})
	if err != nil {
		t.Fatal(err)
	}
	if off.accepted != nil {
		t.Error("CacheTokens -1 still remembers tokens")
	}
}
