package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Config is how tokens are verified.
type Config struct {
	// Secret verifies HS256/384/512 tokens (at least MinSecretBytes).
	Secret []byte
	// JWKS verifies RS/PS/ES/EdDSA tokens.
	JWKS *JWKS
	// Issuer and Audience, when set, must be the token's iss and be in
	// its aud (a token without aud is then refused).
	Issuer   string
	Audience string
	// Leeway tolerates clock skew on exp, nbf and iat (default 30s;
	// negative means none).
	Leeway time.Duration
	// AllowNoExpiry accepts tokens without exp (refused by default).
	AllowNoExpiry bool
	// MaxTokenBytes bounds the token's length (default 8 KiB).
	MaxTokenBytes int
	// RoleClaim is the path of the role in the claims (default "role").
	RoleClaim string
	// DefaultRole is the role of anonymous requests and of tokens without
	// a role claim; "" keeps the server's own role.
	DefaultRole string
	// AllowedRoles, when set, are the only roles a token may name.
	AllowedRoles []string
	// CacheTokens is how many accepted tokens are remembered, so that a
	// repeated one is not verified again (see cache.go; default
	// DefaultCacheTokens, negative: none), each for at most CacheLifetime
	// (default DefaultCacheLifetime) and never past its exp.
	CacheTokens   int
	CacheLifetime time.Duration
	// Now is the clock (tests); nil is time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Default limits.
const (
	DefaultLeeway        = 30 * time.Second
	DefaultMaxTokenBytes = 8 << 10
	DefaultRoleClaim     = "role"
)

// Identity is who a request runs as.
type Identity struct {
	Claims map[string]any // nil: anonymous
	Role   string         // "": the server's own role
	// ClaimsJSON is Claims as a JSON object (PostgREST's
	// request.jwt.claims), encoded once per token: an accepted token's
	// identity is cached, so its requests do not encode it again.
	ClaimsJSON string
}

// Error is why a request's credentials are refused: Status is 401 (the
// token is not valid) or 403 (it is, but may not do this). The message is
// safe to show: it never contains the token.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

func unauthenticated(msg string) *Error { return &Error{Status: http.StatusUnauthorized, Message: msg} }
func forbidden(msg string) *Error       { return &Error{Status: http.StatusForbidden, Message: msg} }

// Verifier verifies bearer tokens.
type Verifier struct {
	keys        *keys
	algorithms  []string
	parser      *jwt.Parser
	maxBytes    int
	rolePath    claimPath
	defaultRole string
	allowed     map[string]bool
	accepted    *acceptedTokens
}

// NewVerifier loads the keys of cfg; ctx bounds the life of the JWKS
// refresh (cancel it to stop refreshing).
func NewVerifier(ctx context.Context, cfg Config) (*Verifier, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	keys, algs, err := newKeys(ctx, cfg.Secret, cfg.JWKS, cfg.Logger)
	if err != nil {
		return nil, err
	}
	if cfg.RoleClaim == "" {
		cfg.RoleClaim = DefaultRoleClaim
	}
	path, err := parseClaimPath(cfg.RoleClaim)
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.Leeway == 0:
		cfg.Leeway = DefaultLeeway
	case cfg.Leeway < 0:
		cfg.Leeway = 0
	}
	if cfg.MaxTokenBytes <= 0 {
		cfg.MaxTokenBytes = DefaultMaxTokenBytes
	}
	if cfg.CacheTokens == 0 {
		cfg.CacheTokens = DefaultCacheTokens
	}
	if cfg.CacheLifetime == 0 {
		cfg.CacheLifetime = DefaultCacheLifetime
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	accepted, err := newAcceptedTokens(cfg.CacheTokens, cfg.CacheLifetime, cfg.Leeway, now)
	if err != nil {
		return nil, err
	}
	opts := []jwt.ParserOption{
		// The algorithm in the token only picks among the configured
		// keys' algorithms ("none" is never among them).
		jwt.WithValidMethods(algs),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithJSONNumber(),
	}
	if !cfg.AllowNoExpiry {
		opts = append(opts, jwt.WithExpirationRequired())
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	if cfg.Now != nil {
		opts = append(opts, jwt.WithTimeFunc(cfg.Now))
	}
	v := &Verifier{keys: keys, algorithms: algs, parser: jwt.NewParser(opts...), maxBytes: cfg.MaxTokenBytes,
		rolePath: path, defaultRole: cfg.DefaultRole, accepted: accepted}
	if len(cfg.AllowedRoles) > 0 {
		v.allowed = map[string]bool{}
		for _, r := range cfg.AllowedRoles {
			v.allowed[r] = true
		}
	}
	return v, nil
}

// Algorithms are the token algorithms this verifier accepts, sorted.
func (v *Verifier) Algorithms() []string { return slices.Sorted(slices.Values(v.algorithms)) }

// Verify returns the identity of a request from its Authorization header
// ("" is anonymous: the default role, no claims). An invalid token never
// falls back to anonymous. The identity's claims are shared by the
// requests of one token: they must not be modified.
func (v *Verifier) Verify(ctx context.Context, header string) (Identity, *Error) {
	if header == "" {
		return Identity{Role: v.defaultRole}, nil
	}
	scheme, token, ok := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return Identity{}, unauthenticated(`the Authorization header must be "Bearer <token>"`)
	}
	if len(token) > v.maxBytes {
		return Identity{}, unauthenticated(fmt.Sprintf("the token is longer than %d bytes", v.maxBytes))
	}
	if len(v.algorithms) == 0 {
		return Identity{}, unauthenticated("this server accepts no tokens (no JWT key is configured)")
	}
	if who, ok := v.accepted.get(token); ok {
		return who, nil
	}
	claims := jwt.MapClaims{}
	parsed, err := v.parser.ParseWithClaims(token, claims, v.keys.keyFor(ctx))
	if err != nil {
		return Identity{}, unauthenticated(tokenError(err))
	}
	// RFC 7515 4.1.11: a token naming extensions the recipient does not
	// understand must be refused; this server understands none.
	if _, ok := parsed.Header["crit"]; ok {
		return Identity{}, unauthenticated(`the token requires extensions this server does not support ("crit")`)
	}
	if hasNUL(map[string]any(claims)) {
		return Identity{}, unauthenticated("the token has a claim with a NUL character")
	}
	role, e := v.role(claims)
	if e != nil {
		return Identity{}, e
	}
	all, err := json.Marshal(map[string]any(claims))
	if err != nil { // claims decoded from JSON encode again
		return Identity{}, unauthenticated("the token's claims cannot be encoded as JSON")
	}
	who := Identity{Claims: claims, Role: role, ClaimsJSON: string(all)}
	var exp *time.Time
	if t, err := claims.GetExpirationTime(); err == nil && t != nil {
		exp = &t.Time
	}
	if _, hmac := parsed.Method.(*jwt.SigningMethodHMAC); hmac {
		v.accepted.add(token, who, exp) // a secret is the process's for life; JWKS keys rotate
	}
	return who, nil
}

// role is the role the claims name (or the default), if it is allowed.
func (v *Verifier) role(claims map[string]any) (string, *Error) {
	value, ok := v.rolePath.lookup(claims)
	if !ok {
		return v.defaultRole, nil
	}
	role, ok := value.(string)
	if !ok || role == "" {
		return "", forbidden(fmt.Sprintf("the token's role claim (%s) must be a non-empty string", v.rolePath))
	}
	if v.allowed != nil && !v.allowed[role] {
		return "", forbidden("the token's role is not one this server allows")
	}
	return role, nil
}

// hasNUL reports a NUL character in any claim name or string value, at
// any depth: PostgreSQL settings cannot hold one.
func hasNUL(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.ContainsRune(v, 0)
	case map[string]any:
		for k, x := range v {
			if strings.ContainsRune(k, 0) || hasNUL(x) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if hasNUL(x) {
				return true
			}
		}
	}
	return false
}

// tokenError says why a token was refused without echoing it.
func tokenError(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "the token has expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "the token is not valid yet (nbf)"
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "the token is issued in the future (iat)"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		for _, claim := range []string{"exp", "aud", "iss"} {
			if strings.Contains(err.Error(), claim+" claim") {
				return "the token lacks the required claim " + claim
			}
		}
		return "the token lacks a required claim"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "the token is not for this audience (aud)"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "the token is not from the expected issuer (iss)"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return "the token's signature, key or algorithm is not accepted"
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "the token is malformed"
	case errors.Is(err, jwt.ErrInvalidType):
		return "a time claim (exp, nbf, iat) of the token is not a number"
	}
	return "the token is invalid"
}
