package auth

import (
	"crypto/sha256"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Verifying a token's signature was the costliest step of an
// authenticated request that PostgreSQL did not do (an HMAC, or an RSA
// or ECDSA verification, and the claims' JSON). A client sends the same
// token with every request until it expires, so a verifier remembers the
// tokens it accepted, by digest, and answers a repeated one from memory.
//
// The answer is the same as verifying again: a token is remembered only
// when it was accepted, only until it would expire (exp plus the leeway)
// and at most CacheLifetime, and only when a secret verified it — a
// secret is fixed for the life of the process, while a JWKS's keys may be
// withdrawn at its next fetch, after which their tokens must be refused.
// Refusals are never remembered: they are cheap, and remembering them
// would let a client fill the cache.

// Cache defaults.
const (
	DefaultCacheTokens   = 4096
	DefaultCacheLifetime = time.Minute
)

type acceptedTokens struct {
	tokens   *lru.Cache[[sha256.Size]byte, accepted]
	lifetime time.Duration
	leeway   time.Duration
	now      func() time.Time
	// hits and misses count the lookups (see Verifier.CacheStats).
	hits, misses atomic.Int64
}

type accepted struct {
	who   Identity
	until time.Time
}

// newAcceptedTokens remembers up to size tokens for at most lifetime
// (size 0: none).
func newAcceptedTokens(size int, lifetime, leeway time.Duration, now func() time.Time) (*acceptedTokens, error) {
	if size <= 0 || lifetime <= 0 {
		return nil, nil
	}
	tokens, err := lru.New[[sha256.Size]byte, accepted](size)
	if err != nil {
		return nil, err
	}
	return &acceptedTokens{tokens: tokens, lifetime: lifetime, leeway: leeway, now: now}, nil
}

// get returns the identity of token if it was accepted and is still
// valid.
func (c *acceptedTokens) get(token string) (Identity, bool) {
	if c == nil {
		return Identity{}, false
	}
	key := sha256.Sum256([]byte(token))
	a, ok := c.tokens.Get(key)
	if ok && !c.now().Before(a.until) {
		c.tokens.Remove(key)
		ok = false
	}
	if !ok {
		c.misses.Add(1)
		return Identity{}, false
	}
	c.hits.Add(1)
	return a.who, true
}

// add remembers that token was accepted as who, until exp (when the
// token has one) plus the leeway, and at most the lifetime.
func (c *acceptedTokens) add(token string, who Identity, exp *time.Time) {
	if c == nil {
		return
	}
	until := c.now().Add(c.lifetime)
	if exp != nil {
		until = minTime(until, exp.Add(c.leeway))
	}
	c.tokens.Add(sha256.Sum256([]byte(token)), accepted{who: who, until: until})
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// CacheStats is how often a token was answered from memory (hits) or had
// to be verified (misses) so far; both are 0 without the cache.
func (v *Verifier) CacheStats() (hits, misses int64) {
	if v == nil || v.accepted == nil {
		return 0, 0
	}
	return v.accepted.hits.Load(), v.accepted.misses.Load()
}
