// Package auth verifies the bearer tokens of requests and signs the tokens
// the server issues.
//
// A [Verifier] accepts only the algorithms its configured keys are for (an
// HS secret, and RSA/ECDSA/Ed25519 public keys from a JWKS URL or file,
// through keyfunc): the "alg" of a token picks among those, never adds to
// them, and "none" is never accepted. It checks exp (required by default),
// nbf and iat with a leeway, iss and aud when configured, refuses unknown
// "crit" extensions and oversized tokens, never follows jku/x5u/jwk
// headers, and finds the request's role at a configurable claim path.
//
// Its errors are safe to show to the client: they say why a token was
// refused without echoing it.
package auth
