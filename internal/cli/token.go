package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gqlplan/gqlplan/auth"
)

// TokenCmd mints a token for development and tests.
type TokenCmd struct {
	Secret     string        `env:"GQLPLAN_JWT_SECRET" help:"HS256 secret (at least 32 bytes)."`
	PrivateKey string        `name:"private-key" env:"GQLPLAN_JWT_PRIVATE_KEY" help:"PEM private key (RSA, EC, Ed25519) to sign with instead."`
	KeyID      string        `name:"key-id" help:"kid header."`
	Claims     string        `default:"{}" help:"The claims, a JSON object: '{\"role\":\"app_user\",\"person_id\":1}'."`
	Expires    time.Duration `default:"1h" help:"Lifetime (exp - iat) unless the claims have exp."`
	Issuer     string        `help:"iss claim."`
	Audience   string        `help:"aud claim."`
}

func (c *TokenCmd) Run(env *Env) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(c.Claims)))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil || claims == nil || dec.More() {
		return errors.New("--claims must be one JSON object")
	}
	signer, err := auth.NewSigner(auth.SignerConfig{Secret: []byte(c.Secret), PrivateKeyFile: resolvePath(env.Dir, c.PrivateKey),
		KeyID: c.KeyID, Lifetime: c.Expires, Issuer: c.Issuer, Audience: c.Audience})
	if err != nil {
		return err
	}
	token, err := signer.Sign(claims)
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	_, err = fmt.Fprintln(env.Stdout, token)
	return err
}
