package cli

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// TestGraphiQLFilesAreTheVendoredOnes: every file the binary embeds is
// one tools/graphiql/build.sh wrote, unchanged (its SHA-256 before gzip
// is in SHA256SUMS), and every one listed is embedded; the versions are
// the pinned ones of tools/graphiql/package.json, which pins each exactly.
func TestGraphiQLFilesAreTheVendoredOnes(t *testing.T) {
	sums := graphiqlSums()
	if len(sums) < 5 {
		t.Fatalf("SHA256SUMS lists %d files", len(sums))
	}
	embedded, _ := fs.Glob(graphiqlFiles, "playground/graphiql/*.gz")
	if len(embedded) != len(sums) {
		t.Errorf("%d files embedded, %d in SHA256SUMS", len(embedded), len(sums))
	}
	for name, sum := range sums {
		gz, err := graphiqlFiles.Open("playground/graphiql/" + name + ".gz")
		if err != nil {
			t.Errorf("%s is listed but not embedded: build the bundle first (make test does; tools/graphiql/build.sh)", name)
			continue
		}
		zr, err := gzip.NewReader(gz)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		if _, err := io.Copy(h, zr); err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != sum {
			t.Errorf("%s: sha256 %s, SHA256SUMS says %s: run make graphiql", name, got, sum)
		}
	}
	var pkg struct{ Dependencies map[string]string }
	data, err := os.ReadFile("../../tools/graphiql/package.json")
	if err == nil {
		err = json.Unmarshal(data, &pkg)
	}
	if err != nil {
		t.Fatal(err)
	}
	var versions map[string]string
	data, _ = graphiqlFiles.ReadFile("playground/graphiql/VERSIONS.json")
	if err := json.Unmarshal(data, &versions); err != nil {
		t.Fatal(err)
	}
	for name, pin := range pkg.Dependencies {
		if strings.ContainsAny(pin, "^~<>*x ") {
			t.Errorf("tools/graphiql pins %s loosely (%s)", name, pin)
		}
		if v, ok := versions[name]; ok && v != pin {
			t.Errorf("the bundle holds %s %s, package.json pins %s: run make graphiql", name, v, pin)
		}
	}
	if !strings.HasPrefix(versions["graphiql"], "5.") {
		t.Errorf("GraphiQL %s: the current major is 5", versions["graphiql"])
	}
}

// TestGraphiQLIsServed: the page carries the configuration as JSON a
// script cannot break out of, and a policy allowing the server's own
// files only; the files go gzipped to a client that takes gzip and plain
// to one that does not, revalidated by ETag.
func TestGraphiQLIsServed(t *testing.T) {
	mux := http.NewServeMux()
	playground(mux, playgroundConfig{URL: "/graphql", Token: "</script><script>alert(1)</script>"})
	get := func(path string, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec
	}
	page := get("/")
	body := page.Body.String()
	if page.Code != 200 || strings.Contains(body, "</script><script>") || !strings.Contains(body, `\u003c/script\u003e`) {
		t.Errorf("the page: %d\n%s", page.Code, body)
	}
	if csp := page.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("the page's policy: %s", csp)
	}
	gz := get("/graphiql/graphiql.js", "Accept-Encoding", "gzip, deflate, br")
	if gz.Code != 200 || gz.Header().Get("Content-Encoding") != "gzip" || !strings.HasPrefix(gz.Header().Get("Content-Type"), "text/javascript") {
		t.Errorf("graphiql.js, gzip: %d %v", gz.Code, gz.Header())
	}
	plain := get("/graphiql/graphiql.js", "Accept-Encoding", "gzip;q=0")
	if plain.Code != 200 || plain.Header().Get("Content-Encoding") != "" || plain.Body.Len() <= gz.Body.Len() {
		t.Errorf("graphiql.js, no gzip: %d %v, %d bytes (gzipped: %d)", plain.Code, plain.Header(), plain.Body.Len(), gz.Body.Len())
	}
	if again := get("/graphiql/graphiql.js", "If-None-Match", gz.Header().Get("ETag")); again.Code != http.StatusNotModified {
		t.Errorf("revalidated: %d", again.Code)
	}
	for _, path := range []string{"/graphiql/SHA256SUMS", "/graphiql/nope.js", "/graphiql/../cli.go"} {
		if code := get(path).Code; code == http.StatusOK {
			t.Errorf("%s is served", path)
		}
	}
}
