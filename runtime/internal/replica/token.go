package replica

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
)

// A client that wrote and must read what it wrote gets, with the
// mutation's response, a token naming the position the mutation's commit
// reached and the tables it wrote (a scope, as package readset writes
// it), and sends it back with its reads. The token is signed with the
// server's key: a client cannot make its reads wait for, or skip the
// replicas until, a position no write of its reached. Processes sharing
// the key (every gqlplan behind one load balancer) accept each other's
// tokens.

// tokenVersion prefixes a token, so its format can change; a token of
// version 1, which named no tables, is still read, as of every table (a
// rolling upgrade keeps its clients' tokens).
const (
	tokenVersion = "2"
	allTables    = "*"
)

// maxTokenLength bounds a token read: a scope names at most
// readset.MaxTables tables.
const maxTokenLength = 512

// Signer makes and reads tokens with one key.
type Signer struct{ key []byte }

// NewSigner signs with key (at least 32 bytes, checked by the caller).
func NewSigner(key []byte) *Signer { return &Signer{key: key} }

// Token is the signed token of position lsn and scope:
// "2.<lsn hex>.<scope>.<mac>".
func (s *Signer) Token(lsn LSN, scope string) string {
	body := tokenVersion + "." + strconv.FormatUint(uint64(lsn), 16) + "." + scope
	return body + "." + s.mac(body)
}

// Read reads a token: its position and scope, or false when it is not
// one this key signed.
func (s *Signer) Read(token string) (lsn LSN, scope string, ok bool) {
	i := strings.LastIndexByte(token, '.')
	if i < 0 || len(token) > maxTokenLength {
		return 0, "", false
	}
	body, mac := token[:i], token[i+1:]
	if !hmac.Equal([]byte(mac), []byte(s.mac(body))) {
		return 0, "", false
	}
	version, rest, _ := strings.Cut(body, ".")
	hex, scope, scoped := strings.Cut(rest, ".")
	switch {
	case version == "1" && !scoped:
		scope = allTables
	case version != tokenVersion || !scoped:
		return 0, "", false
	}
	n, err := strconv.ParseUint(hex, 16, 64)
	if err != nil {
		return 0, "", false
	}
	return LSN(n), scope, true
}

func (s *Signer) mac(body string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("gqlplan read-your-writes\x00"))
	m.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}
