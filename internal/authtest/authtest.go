// Package authtest makes keys, JWKS servers and tokens — well-formed or
// hostile — for the tests of token verification.
package authtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// Key is a signing key with its id and algorithm.
type Key struct {
	ID     string
	Method jwt.SigningMethod
	Signer crypto.Signer
}

// NewRSA, NewEC and NewEd25519 make fresh keys.
func NewRSA(t testing.TB, id string) *Key {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return &Key{ID: id, Method: jwt.SigningMethodRS256, Signer: k}
}

func NewEC(t testing.TB, id string) *Key {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &Key{ID: id, Method: jwt.SigningMethodES256, Signer: k}
}

func NewEd25519(t testing.TB, id string) *Key {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &Key{ID: id, Method: &jwt.SigningMethodEd25519{}, Signer: k}
}

// Sign signs claims with the key, its kid in the header.
func (k *Key) Sign(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(k.Method, claims)
	tok.Header["kid"] = k.ID
	s, err := tok.SignedString(k.Signer)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Signs signs a signing input with the key, for Forge.
func (k *Key) Signs(input string) []byte {
	sig, _ := k.Method.Sign(input, k.Signer)
	return sig
}

// PEM is the private key in PKCS#8 PEM.
func (k *Key) PEM(t testing.TB) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k.Signer)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// PublicPEM is the public key in PKIX PEM.
func (k *Key) PublicPEM(t testing.TB) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.Signer.Public())
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// JWKS is the JSON Web Key Set of the keys' public halves.
func JWKS(t testing.TB, keys ...*Key) []byte {
	t.Helper()
	set := jwkset.JWKSMarshal{Keys: []jwkset.JWKMarshal{}}
	for _, k := range keys {
		jwk, err := jwkset.NewJWKFromKey(k.Signer.Public(), jwkset.JWKOptions{
			Metadata: jwkset.JWKMetadataOptions{KID: k.ID, USE: jwkset.UseSig, ALG: jwkset.ALG(k.Method.Alg())},
		})
		if err != nil {
			t.Fatal(err)
		}
		set.Keys = append(set.Keys, jwk.Marshal())
	}
	data, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// KeyServer serves a JWKS that a test can replace, counting fetches.
type KeyServer struct {
	*httptest.Server
	mu      sync.Mutex
	body    []byte
	Fetches atomic.Int64
}

// NewKeyServer serves the keys at /jwks.json (and counts requests to any
// other path too: a followed jku or x5u would show up there).
func NewKeyServer(t testing.TB, keys ...*Key) *KeyServer {
	s := &KeyServer{body: JWKS(t, keys...)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Fetches.Add(1)
		s.mu.Lock()
		body := s.body
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

// URL is the address of the key set.
func (s *KeyServer) URL() string { return s.Server.URL + "/jwks.json" }

// Serve replaces the key set (or the body: any bytes).
func (s *KeyServer) Serve(body []byte) {
	s.mu.Lock()
	s.body = body
	s.mu.Unlock()
}

// Forge builds a token from a raw header and claims and a signature over
// them made by sign (nil: an empty signature), so tests can write the
// tokens no library would.
func Forge(header, claims map[string]any, sign func(signingInput string) []byte) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(header) + "." + enc(claims)
	var sig []byte
	if sign != nil {
		sig = sign(input)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// HMAC signs a signing input with HS256 and secret.
func HMAC(secret []byte) func(string) []byte {
	return func(input string) []byte {
		sig, _ := jwt.SigningMethodHS256.Sign(input, secret)
		return sig
	}
}

// Tamper flips one character in the middle of the token's signature.
func Tamper(token string) string {
	i := strings.LastIndexByte(token, '.') + 5
	b := []byte(token)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}
