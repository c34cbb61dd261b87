package cli

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// GraphiQL, as dev serves it at / and serve with --playground: the page,
// and GraphiQL's files under /graphiql/ — bundled from npm with pinned
// versions by tools/graphiql/build.sh (make build runs it), checked
// against the committed SHA256SUMS and embedded, gzipped, in the binary,
// so that it works offline and loads nothing from anywhere else. A binary
// built without them (go build alone) says so at /.

//go:embed playground/graphiql
var graphiqlFiles embed.FS

// playgroundConfig is what the page tells GraphiQL: the GraphQL URL, and
// in dev the development token, put in the headers editor.
type playgroundConfig struct {
	URL   string `json:"url"`
	Token string `json:"token,omitempty"`
	Query string `json:"query,omitempty"`
}

var playgroundPage = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gqlplan · GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.css">
<script type="application/json" id="gqlplan-config">{{.}}</script>
<script type="module" src="/graphiql/graphiql.js"></script>
</head>
<body style="margin:0">
<div id="graphiql" style="height:100vh">Loading GraphiQL…</div>
</body>
</html>
`))

// graphiqlMissing is the page of a binary built without GraphiQL's files.
const graphiqlMissing = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gqlplan · GraphiQL</title></head>
<body><p>GraphiQL was not built into this binary. Build gqlplan with <code>make build</code>,
which bundles it first (<code>tools/graphiql/build.sh</code>, with node and npm).
GraphQL is served at <code>/graphql</code> all the same.</p></body></html>
`

// playgroundPolicy lets the page run the server's own scripts and
// workers only, and talk to the server alone (its WebSocket too);
// Monaco sets styles inline, and its fonts and icons are data: URLs.
const playgroundPolicy = "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"font-src 'self' data:; img-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// playground serves GraphiQL's page at /{$} and its files at /graphiql/
// on mux.
func playground(mux *http.ServeMux, cfg playgroundConfig) {
	data, _ := json.Marshal(cfg) // escapes <, > and &: safe in a script element
	var page bytes.Buffer
	_ = playgroundPage.Execute(&page, template.JS(data))
	if _, err := graphiqlFiles.Open("playground/graphiql/graphiql.js.gz"); err != nil {
		page.Reset()
		page.WriteString(graphiqlMissing)
	}
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", playgroundPolicy)
		h.Set("Cache-Control", "no-store") // it may hold the development token
		_, _ = w.Write(page.Bytes())
	})
	sums := graphiqlSums()
	mux.HandleFunc("GET /graphiql/{file}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		gz, err := graphiqlFiles.ReadFile("playground/graphiql/" + name + ".gz")
		if err != nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", graphiqlTypes[path.Ext(name)])
		h.Set("Cache-Control", "no-cache") // revalidated by ETag: a new binary may bring new files
		h.Set("X-Content-Type-Options", "nosniff")
		etag := `"` + sums[name] + `"`
		h.Set("ETag", etag)
		h.Add("Vary", "Accept-Encoding")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			h.Set("Content-Encoding", "gzip")
			_, _ = w.Write(gz)
			return
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = io.Copy(w, zr)
	})
}

// graphiqlTypes are the media types of GraphiQL's files: the server's
// own, whatever /etc/mime.types a container has or lacks.
var graphiqlTypes = map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".ttf": "font/ttf"}

// graphiqlSums are the SHA-256 of GraphiQL's files (before gzip), by name,
// from the SHA256SUMS build.sh wrote.
func graphiqlSums() map[string]string {
	sums := map[string]string{}
	data, _ := graphiqlFiles.ReadFile("playground/graphiql/SHA256SUMS")
	scan := bufio.NewScanner(bytes.NewReader(data))
	for scan.Scan() {
		if sum, name, ok := strings.Cut(scan.Text(), "  "); ok {
			sums[name] = sum
		}
	}
	return sums
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		coding, params, _ := strings.Cut(part, ";")
		if coding = strings.TrimSpace(coding); !strings.EqualFold(coding, "gzip") && coding != "*" {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			q, _ = strconv.ParseFloat(v, 64)
		}
		return q > 0
	}
	return false
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
