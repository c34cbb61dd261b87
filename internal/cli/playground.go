package cli

import (
	_ "embed"
	"net/http"
	"path/filepath"
	"strings"
)

//go:embed playground/index.html
var playgroundPage []byte

// playground serves the development page: a query, variables and an
// Authorization header, sent to /graphql, and the result. It is ours and
// inside the binary, so dev works offline.
func playground() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
		_, _ = w.Write(playgroundPage)
	})
}

// relativeTo is path relative to dir when it is below it, else path.
func relativeTo(dir, path string) string {
	if dir == "" {
		return path
	}
	if rel, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}
