package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"
)

// MinSecretBytes is the shortest HS256/384/512 secret accepted: shorter
// ones can be brute-forced offline from any token.
const MinSecretBytes = 32

// Algorithms by key kind. A secret verifies only HMAC; JWKS keys verify
// only the asymmetric algorithms, and the key's own type must fit the
// algorithm (golang-jwt refuses an RSA key for ES256), so an RSA public
// key can never be used as an HMAC secret.
var (
	hmacAlgorithms       = []string{"HS256", "HS384", "HS512"}
	asymmetricAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)

// JWKS says where public keys come from: a URL (fetched at start, then
// refreshed) or a file (read once).
type JWKS struct {
	URL  string
	File string
	// Refresh is how often the URL is fetched again (default 1h).
	Refresh time.Duration
	// UnknownKIDInterval is how often a token with a key id not in the
	// set may cause a fetch ahead of Refresh (default 5m): a burst of
	// forged kids costs the key server at most one request per interval.
	UnknownKIDInterval time.Duration
	// Timeout bounds one fetch (default 10s).
	Timeout time.Duration
	// MaxBytes bounds the response body of a fetch (default 1 MiB).
	MaxBytes int64
	// Client makes the requests (default: a new http.Client); its
	// transport is wrapped to bound the body and its timeout set.
	Client *http.Client
}

func (j *JWKS) configured() bool { return j != nil && (j.URL != "" || j.File != "") }

// keys resolves the verification key of a token.
type keys struct {
	secret []byte
	jwks   keyfunc.Keyfunc // nil without JWKS
}

// newKeys loads the configured keys. A JWKS URL that cannot be fetched at
// start is logged and retried, never fatal: the server starts and accepts
// tokens once the key server answers.
func newKeys(ctx context.Context, secret []byte, j *JWKS, log *slog.Logger) (*keys, []string, error) {
	k := &keys{}
	var algs []string
	if len(secret) > 0 {
		if len(secret) < MinSecretBytes {
			return nil, nil, fmt.Errorf("the JWT secret has %d bytes; at least %d are required", len(secret), MinSecretBytes)
		}
		k.secret = secret
		algs = append(algs, hmacAlgorithms...)
	}
	if !j.configured() {
		return k, algs, nil
	}
	if j.URL != "" && j.File != "" {
		return nil, nil, errors.New("give a JWKS URL or a JWKS file, not both")
	}
	var err error
	if j.File != "" {
		k.jwks, err = jwksFromFile(j.File)
	} else {
		k.jwks, err = jwksFromURL(ctx, *j, log)
	}
	if err != nil {
		return nil, nil, err
	}
	return k, append(algs, asymmetricAlgorithms...), nil
}

func jwksFromFile(path string) (keyfunc.Keyfunc, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read JWKS: %w", err)
	}
	set, err := keyfunc.NewJWKSetJSON(data)
	if err != nil {
		return nil, fmt.Errorf("JWKS file %s: %w", path, err)
	}
	return keyfunc.New(keyfunc.Options{Storage: set.Storage(), UseWhitelist: []jwkset.USE{jwkset.UseSig}})
}

func jwksFromURL(ctx context.Context, j JWKS, log *slog.Logger) (keyfunc.Keyfunc, error) {
	if j.Refresh <= 0 {
		j.Refresh = time.Hour
	}
	if j.UnknownKIDInterval <= 0 {
		j.UnknownKIDInterval = 5 * time.Minute
	}
	if j.Timeout <= 0 {
		j.Timeout = 10 * time.Second
	}
	if j.MaxBytes <= 0 {
		j.MaxBytes = 1 << 20
	}
	client := j.Client
	if client == nil {
		client = &http.Client{}
	}
	bounded := *client
	bounded.Transport = limitedTransport{next: client.Transport, max: j.MaxBytes}
	bounded.Timeout = j.Timeout
	noError := true
	set, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{j.URL}, keyfunc.Override{
		Client:                    &bounded,
		HTTPTimeout:               j.Timeout,
		NoErrorReturnFirstHTTPReq: &noError,
		RefreshInterval:           j.Refresh,
		// The limiter is asked with a deadline of one fetch: when its
		// next token is further away than that, Wait fails at once
		// instead of holding the request.
		RefreshUnknownKID: rate.NewLimiter(rate.Every(j.UnknownKIDInterval), 1),
		RateLimitWaitMax:  j.Timeout,
		RefreshErrorHandlerFunc: func(u string) func(context.Context, error) {
			return func(ctx context.Context, err error) {
				log.LogAttrs(ctx, slog.LevelWarn, "JWKS fetch failed", slog.String("url", u), slog.String("error", err.Error()))
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("JWKS %s: %w", j.URL, err)
	}
	return keyfunc.New(keyfunc.Options{Ctx: ctx, Storage: set.Storage(), UseWhitelist: []jwkset.USE{jwkset.UseSig}})
}

// keyFor is the jwt.Keyfunc of one verification. The parser has already
// refused algorithms outside the allow-list.
func (k *keys) keyFor(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		if _, hmac := t.Method.(*jwt.SigningMethodHMAC); hmac {
			if k.secret == nil {
				return nil, errors.New("no secret")
			}
			return k.secret, nil
		}
		if k.jwks == nil {
			return nil, errors.New("no public keys")
		}
		return k.jwks.KeyfuncCtx(ctx)(t)
	}
}

// limitedTransport fails reading a response body beyond max bytes, so a
// key server cannot make the process buffer an unbounded JWKS.
type limitedTransport struct {
	next http.RoundTripper
	max  int64
}

func (t limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &limitedBody{ReadCloser: resp.Body, left: t.max}
	return resp, nil
}

type limitedBody struct {
	io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errors.New("the JWKS response is larger than the configured maximum")
	}
	if int64(len(p)) > b.left {
		p = p[:b.left+1] // one more byte tells "exactly max" from "over"
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, errors.New("the JWKS response is larger than the configured maximum")
	}
	return n, err
}
