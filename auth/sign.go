package auth

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// SignerConfig is how the server signs the tokens it issues.
type SignerConfig struct {
	// Secret signs HS256 tokens; PrivateKeyFile (PEM: RSA, EC or
	// Ed25519, PKCS#1, PKCS#8 or SEC 1) signs RS256, ES256/384/512 or
	// EdDSA tokens, as the key's type and curve say. One of them.
	Secret         []byte
	PrivateKeyFile string
	// KeyID is the kid header, so verifiers with a JWKS find the key.
	KeyID string
	// Lifetime is exp - iat for claims without exp (default 1h).
	Lifetime time.Duration
	// Issuer and Audience are added as iss and aud when set.
	Issuer   string
	Audience string
	Now      func() time.Time
}

// DefaultLifetime is the lifetime of issued tokens without their own exp.
const DefaultLifetime = time.Hour

// Signer signs claims into tokens.
type Signer struct {
	method jwt.SigningMethod
	key    any
	cfg    SignerConfig
}

// NewSigner loads the signing key of cfg.
func NewSigner(cfg SignerConfig) (*Signer, error) {
	if cfg.Lifetime <= 0 {
		cfg.Lifetime = DefaultLifetime
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Signer{cfg: cfg}
	switch {
	case len(cfg.Secret) > 0 && cfg.PrivateKeyFile != "":
		return nil, errors.New("sign tokens with a secret or a private key, not both")
	case len(cfg.Secret) > 0:
		if len(cfg.Secret) < MinSecretBytes {
			return nil, fmt.Errorf("the JWT secret has %d bytes; at least %d are required", len(cfg.Secret), MinSecretBytes)
		}
		s.method, s.key = jwt.SigningMethodHS256, cfg.Secret
	case cfg.PrivateKeyFile != "":
		pem, err := os.ReadFile(cfg.PrivateKeyFile)
		if err != nil {
			return nil, fmt.Errorf("read the JWT private key: %w", err)
		}
		if s.method, s.key, err = privateKey(pem); err != nil {
			return nil, fmt.Errorf("the JWT private key %s: %w", cfg.PrivateKeyFile, err)
		}
	default:
		return nil, errors.New("no signing key: configure a JWT secret or a private key")
	}
	return s, nil
}

// privateKey parses a PEM private key and picks the algorithm that fits it.
func privateKey(pem []byte) (jwt.SigningMethod, crypto.Signer, error) {
	if k, err := jwt.ParseRSAPrivateKeyFromPEM(pem); err == nil {
		return jwt.SigningMethodRS256, k, nil
	}
	if k, err := jwt.ParseECPrivateKeyFromPEM(pem); err == nil {
		switch k.Curve {
		case elliptic.P256():
			return jwt.SigningMethodES256, k, nil
		case elliptic.P384():
			return jwt.SigningMethodES384, k, nil
		case elliptic.P521():
			return jwt.SigningMethodES512, k, nil
		}
		return nil, nil, errors.New("an EC key must be on P-256, P-384 or P-521")
	}
	if k, err := jwt.ParseEdPrivateKeyFromPEM(pem); err == nil {
		return &jwt.SigningMethodEd25519{}, k.(ed25519.PrivateKey), nil
	}
	return nil, nil, errors.New("not a PEM RSA, EC or Ed25519 private key")
}

// Sign returns a token carrying claims plus iat, exp (unless claims has
// one), and iss and aud when configured.
func (s *Signer) Sign(claims map[string]any) (string, error) {
	now := s.cfg.Now()
	out := jwt.MapClaims{}
	for k, v := range claims {
		out[k] = v
	}
	out["iat"] = now.Unix()
	if _, ok := out["exp"]; !ok {
		out["exp"] = now.Add(s.cfg.Lifetime).Unix()
	}
	if s.cfg.Issuer != "" {
		out["iss"] = s.cfg.Issuer
	}
	if s.cfg.Audience != "" {
		out["aud"] = s.cfg.Audience
	}
	t := jwt.NewWithClaims(s.method, out)
	if s.cfg.KeyID != "" {
		t.Header["kid"] = s.cfg.KeyID
	}
	return t.SignedString(s.key)
}

// SignJSON signs a JSON object (a row PostgreSQL built); null gives "".
func (s *Signer) SignJSON(row []byte) (string, error) {
	var claims map[string]any
	dec := json.NewDecoder(bytes.NewReader(row))
	dec.UseNumber()
	if err := dec.Decode(&claims); err != nil {
		return "", errors.New("the token's row is not a JSON object")
	}
	if claims == nil {
		return "", nil
	}
	return s.Sign(claims)
}
