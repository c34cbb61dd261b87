package runtime

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MinSecretBytes is the shortest HS256/384/512 secret accepted: shorter
// ones can be brute-forced offline from any token.
const MinSecretBytes = 32

// authenticator verifies bearer tokens.
type authenticator struct {
	secret []byte
	parser *jwt.Parser
}

func newAuthenticator(secret []byte) (*authenticator, error) {
	if len(secret) > 0 && len(secret) < MinSecretBytes {
		return nil, fmt.Errorf("the JWT secret has %d bytes; at least %d are required", len(secret), MinSecretBytes)
	}
	return &authenticator{
		secret: secret,
		// The algorithm in the token is never trusted: only the HMAC
		// algorithms the configured key is for are accepted ("none" never).
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{"HS256", "HS384", "HS512"}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(30*time.Second),
			jwt.WithJSONNumber(),
		),
	}, nil
}

// errNoToken is "no Authorization header": the caller is anonymous.
var errNoToken = errors.New("no token")

// verify returns the claims of the bearer token in header, errNoToken when
// there is none, or an error saying why the token is refused (the caller
// answers 401; an invalid token never falls back to anonymous).
func (a *authenticator) verify(header string) (map[string]any, error) {
	if header == "" {
		return nil, errNoToken
	}
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, errors.New(`the Authorization header must be "Bearer <token>"`)
	}
	if len(a.secret) == 0 {
		return nil, errors.New("this server accepts no tokens (no JWT key is configured)")
	}
	claims := jwt.MapClaims{}
	_, err := a.parser.ParseWithClaims(strings.TrimSpace(token), claims, func(*jwt.Token) (any, error) { return a.secret, nil })
	if err != nil {
		return nil, tokenError(err)
	}
	for name, v := range claims { // PostgreSQL settings cannot hold NUL
		if s, ok := v.(string); ok && strings.ContainsRune(s, 0) || strings.ContainsRune(name, 0) {
			return nil, errors.New("the token has a claim with a NUL character")
		}
	}
	return claims, nil
}

// tokenError says why a token was refused without echoing it.
func tokenError(err error) error {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return errors.New("the token has expired")
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return errors.New("the token is not valid yet")
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return errors.New("the token has no expiry (exp)")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return errors.New("the token's signature or algorithm is not accepted")
	case errors.Is(err, jwt.ErrTokenMalformed):
		return errors.New("the token is malformed")
	}
	return errors.New("the token is invalid")
}

// roleOf is the role a request runs as: the token's "role" claim, else
// the default role.
func roleOf(claims map[string]any, defaultRole string) (string, error) {
	v, ok := claims["role"]
	if !ok {
		return defaultRole, nil
	}
	role, ok := v.(string)
	if !ok || role == "" {
		return "", errors.New(`the token's "role" claim must be a non-empty string`)
	}
	return role, nil
}
