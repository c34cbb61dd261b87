package pgexec

import (
	"encoding/json"
	"reflect"
	"testing"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/gqlplan/gqlplan/auth"
)

// identity is who as auth.Verifier makes it: its claims and their JSON.
func identity(t *testing.T, claims map[string]any) auth.Identity {
	t.Helper()
	all, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	role, _ := claims["role"].(string)
	return auth.Identity{Role: role, Claims: claims, ClaimsJSON: string(all)}
}

// A session's claim settings come from a cache keyed by the claims' JSON:
// a repeated identity gets the settings a fresh derivation gives, another
// identity its own, and building a request's settings never changes the
// cached ones.
func TestClaimSettingsAreCachedByTheirJSON(t *testing.T) {
	cache, err := lru.New[string, []any](claimCacheSize)
	if err != nil {
		t.Fatal(err)
	}
	x := &Executor{claims: cache, timeout: "5000", roles: &roleSettings{byRole: map[string][]any{"member": {"search_path", "app"}}}}
	ada := identity(t, map[string]any{"role": "member", "sub": "ada", "person_id": 1.0, "x-tenant": "skipped", "groups": []any{"a", "b"}})
	bob := identity(t, map[string]any{"role": "member", "sub": "bob", "person_id": 2.0})
	want := []any{
		"jwt.claims.groups", `["a","b"]`,
		"jwt.claims.person_id", "1",
		"jwt.claims.role", "member",
		"jwt.claims.sub", "ada",
		"request.jwt.claims", ada.ClaimsJSON,
	}

	first := x.NewSession(ada)
	if !reflect.DeepEqual(first.claims, want) {
		t.Fatalf("ada's claim settings:\n%q\nwant\n%q", first.claims, want)
	}
	pairs := settingsPairs(first, true)
	wantPairs := append([]any{"role", "member", "statement_timeout", "5000", "search_path", "app", "transaction_read_only", "on"}, want...)
	if !reflect.DeepEqual(pairs, wantPairs) {
		t.Errorf("ada's settings:\n%q\nwant\n%q", pairs, wantPairs)
	}
	pairs[len(pairs)-1] = "changed by the request"
	if again := x.NewSession(ada); !reflect.DeepEqual(again.claims, want) {
		t.Errorf("ada again: %q, want %q", again.claims, want)
	}
	if none := settingsPairs((&Executor{claims: cache, roles: &roleSettings{}}).NewSession(ada), false); !reflect.DeepEqual(none, append([]any{"role", "member"}, want...)) {
		t.Errorf("an executor without a statement timeout or role settings: %q", none)
	}
	if cache.Len() != 1 {
		t.Errorf("%d claim sets cached, want 1", cache.Len())
	}

	if got := x.NewSession(bob).claims; !reflect.DeepEqual(got, []any{
		"jwt.claims.person_id", "2", "jwt.claims.role", "member", "jwt.claims.sub", "bob", "request.jwt.claims", bob.ClaimsJSON,
	}) {
		t.Errorf("bob's claim settings: %q", got)
	}

	// A request without claims sets its role's leading settings, shared by
	// every such request; the requests with claims, which appended to
	// them (and changed their copy, above), left them as they were.
	anon := x.NewSession(auth.Identity{Role: "member"})
	read, write := settingsPairs(anon, true), settingsPairs(anon, false)
	if want := []any{"role", "member", "statement_timeout", "5000", "search_path", "app", "transaction_read_only", "on"}; !reflect.DeepEqual(read, want) {
		t.Errorf("a query without claims: %q, want %q", read, want)
	}
	if want := []any{"role", "member", "statement_timeout", "5000", "search_path", "app"}; !reflect.DeepEqual(write, want) {
		t.Errorf("a mutation without claims: %q, want %q", write, want)
	}
	if again := settingsPairs(x.NewSession(auth.Identity{Role: "member"}), true); &again[0] != &read[0] {
		t.Error("a role's leading settings were derived again, not shared")
	}

	// An identity made without auth.Verifier has no ClaimsJSON: its
	// settings are derived every time, and nothing is cached for "".
	made := auth.Identity{Role: "member", Claims: ada.Claims}
	if got := x.NewSession(made).claims; !reflect.DeepEqual(got, want) {
		t.Errorf("an identity without ClaimsJSON: %q, want %q", got, want)
	}
	if _, ok := cache.Get(""); ok || cache.Len() != 2 {
		t.Errorf("%d claim sets cached (one for \"\": %v), want ada's and bob's", cache.Len(), ok)
	}
	if got := x.NewSession(auth.Identity{Role: "anonymous"}); got.claims != nil || got.role != "anonymous" {
		t.Errorf("no token: %+v", got)
	}
}
