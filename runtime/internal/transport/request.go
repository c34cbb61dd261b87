// Package transport is GraphQL over HTTP: it takes an *http.Request and
// gives the [Request] parameters — query, operation name, variables, the
// negotiated media type — or the [Response] that refuses it, and writes
// a [Response]: the status the specification asks for each kind of
// failure, errors, and the data whose values PostgreSQL built, copied
// through without being decoded.
package transport

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/gqlplan/gqlplan/runtime/internal/wire"
)

// Request is the GraphQL-over-HTTP request parameters, and the media type
// its response is written in.
type Request struct {
	Query         string
	OperationName string
	Variables     map[string]any
	Media         string // MediaGraphQL or MediaJSON
	Method        string
	// Streamed: the request came in a WebSocket's subscribe message or
	// asked for an event stream, the ways a subscription is served.
	Streamed bool
	// DocumentID is the id the request names its document by (see
	// DocumentID); Query is empty when it sent none. The server resolves
	// it (Handler.resolveDocument) before anything reads Query.
	DocumentID string
	// Trusted, set by the server, says the document is one of the plan's;
	// Digest is then its SHA-256, which need not be computed again.
	Trusted bool
	Digest  *[32]byte
	// After, set by the server (never read from a request), is where a
	// stream subscription's next read starts: the cursor of the last row
	// it sent, in place of the document's argument after.
	After json.RawMessage
}

// DocumentNotFound answers a request that names a document by an id the
// server does not know (or, serving trusted documents only, a document
// that is none of them): PERSISTED_QUERY_NOT_FOUND, the error Apollo's
// and urql's automatic persisted queries take as "send the document"
// (message PersistedQueryNotFound) — 200 to a POST, as they expect; 404
// to a GET, so that no cache keeps the answer as the result of the URL.
func DocumentNotFound(p *Request, message string) *Response {
	status := http.StatusOK
	if p.Method == http.MethodGet {
		status = http.StatusNotFound
	}
	return Failure(p.Media, status, wire.CodePersistedQueryNotFound, message)
}

// DocumentID is the id a request names its document by, normalized:
// GraphQL over HTTP's documentId ("sha256:<hex>", or a custom "x-…:"
// scheme) as it is; Apollo's extensions.persistedQuery.sha256Hash as
// "sha256:<hash>"; Relay's doc_id or id as it is. "" when none.
func DocumentID(obj map[string]any, ext map[string]any) string {
	for _, key := range []string{"documentId", "doc_id", "id"} {
		if id, ok := obj[key].(string); ok && id != "" {
			return id
		}
	}
	if pq, ok := ext["persistedQuery"].(map[string]any); ok {
		if hash, ok := pq["sha256Hash"].(string); ok && hash != "" {
			return "sha256:" + strings.ToLower(hash)
		}
	}
	return ""
}

// Batch is the requests of a batched POST (a JSON array), in order; an
// element that is no request is its Refused response instead.
type Batch []BatchEntry

// BatchEntry is one element of a batch.
type BatchEntry struct {
	Request *Request
	Refused *Response
}

// Media is the media type the batch is answered in.
func (b Batch) Media() string {
	if b[0].Request != nil {
		return b[0].Request.Media
	}
	return b[0].Refused.Media
}

// read reads the parameters of a GET (URL query) or POST
// (application/json body) request, or the requests of a batch (a POST
// whose body is an array of at most maxBatch of them; 0: refused); any
// other request is answered with the returned response.
func read(req *http.Request, media string, maxBody int64, maxBatch int) (Request, Batch, *Response) {
	switch req.Method {
	case http.MethodGet:
		q := req.URL.Query()
		p := Request{Query: q.Get("query"), OperationName: q.Get("operationName")}
		params := map[string]any{}
		for _, key := range []string{"documentId", "doc_id", "id"} {
			if v := q.Get(key); v != "" {
				params[key] = v
			}
		}
		var ext map[string]any
		if v, err := wire.DecodeJSON([]byte(q.Get("extensions"))); err == nil {
			ext, _ = v.(map[string]any)
		}
		p.DocumentID = DocumentID(params, ext)
		if p.Query == "" && p.DocumentID == "" {
			return p, nil, Failure(media, http.StatusBadRequest, wire.CodeBadRequest, `The "query" parameter is missing.`)
		}
		if vars := q.Get("variables"); vars != "" {
			v, err := wire.DecodeJSON([]byte(vars))
			obj, ok := v.(map[string]any)
			if err != nil || !ok && v != nil {
				return p, nil, Failure(media, http.StatusBadRequest, wire.CodeBadRequest, `The "variables" parameter must be a JSON object.`)
			}
			p.Variables = obj
		}
		return p, nil, nil
	case http.MethodPost:
	default:
		out := Failure(media, http.StatusMethodNotAllowed, wire.CodeBadRequest, "GraphQL requests use GET or POST.")
		out.Header = http.Header{"Allow": {"GET, POST"}}
		return Request{}, nil, out
	}
	if ct := req.Header.Get("Content-Type"); !isPlainJSON(ct) {
		typ, mparams, err := mime.ParseMediaType(ct)
		if err != nil || typ != MediaJSON {
			return Request{}, nil, Failure(media, http.StatusUnsupportedMediaType, wire.CodeBadRequest, "POST requests must have Content-Type application/json.")
		}
		if cs, ok := mparams["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return Request{}, nil, Failure(media, http.StatusUnsupportedMediaType, wire.CodeBadRequest, "The request body must be UTF-8.")
		}
	}
	// The body is decoded as it is read, not read whole first: one copy
	// of it fewer per request.
	v, err := wire.ReadJSON(http.MaxBytesReader(nil, req.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			return Request{}, nil, Failure(media, http.StatusRequestEntityTooLarge, wire.CodeRequestTooLarge, "The request body is larger than the server accepts.")
		case errors.Is(err, wire.ErrNotJSON):
			return Request{}, nil, Failure(media, http.StatusBadRequest, wire.CodeBadRequest, "The request body is not valid JSON.")
		}
		return Request{}, nil, Failure(media, http.StatusBadRequest, wire.CodeBadRequest, "The request body could not be read.")
	}
	if elems, ok := v.([]any); ok {
		batch, refused := parseBatch(elems, media, maxBatch)
		return Request{}, batch, refused
	}
	p, refused := parseBody(v, media)
	return p, nil, refused
}

// parseBatch reads the requests of a batch: each element as a request's
// body, one that is none refused on its own.
func parseBatch(elems []any, media string, maxBatch int) (Batch, *Response) {
	switch {
	case maxBatch <= 0:
		return nil, Failure(media, http.StatusBadRequest, wire.CodeBatchingDisabled, "Batched requests are not supported; send one operation per request.")
	case len(elems) == 0:
		return nil, Failure(media, http.StatusBadRequest, wire.CodeBadRequest, "The batch holds no request.")
	case len(elems) > maxBatch:
		return nil, Failure(media, http.StatusBadRequest, wire.CodeBatchTooLarge, fmt.Sprintf("The batch holds %d requests; this server takes at most %d in one.", len(elems), maxBatch))
	}
	batch := make(Batch, len(elems))
	for i, elem := range elems {
		if _, nested := elem.([]any); nested {
			batch[i].Refused = Failure(media, http.StatusBadRequest, wire.CodeBadRequest, "A request of a batch must be a JSON object.")
			continue
		}
		p, refused := parseBody(elem, media)
		if refused != nil {
			batch[i].Refused = refused
			continue
		}
		p.Media, p.Method = media, http.MethodPost
		batch[i].Request = &p
	}
	return batch, nil
}

// isPlainJSON reports whether ct is one of the spellings of JSON that
// clients send (graphql-js, Apollo, urql, Relay's fetchers): those need
// no parsing, which allocates the parameters' map in every request.
func isPlainJSON(ct string) bool {
	return strings.EqualFold(ct, MediaJSON) || strings.EqualFold(ct, MediaJSON+"; charset=utf-8") || strings.EqualFold(ct, MediaJSON+";charset=utf-8")
}

// parseBody reads {"query", "operationName", "variables", "extensions"}
// from the decoded body v.
func parseBody(v any, media string) (Request, *Response) {
	bad := func(msg string) (Request, *Response) {
		return Request{}, Failure(media, http.StatusBadRequest, wire.CodeBadRequest, msg)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return bad("The request body must be a JSON object.")
	}
	var p Request
	ext, hasExt := obj["extensions"].(map[string]any)
	p.DocumentID = DocumentID(obj, ext)
	switch q := obj["query"].(type) {
	case nil:
		if p.DocumentID == "" {
			return bad(`The "query" parameter must be a non-empty string.`)
		}
	case string:
		if p.Query = q; q == "" {
			return bad(`The "query" parameter must be a non-empty string.`)
		}
	default:
		return bad(`The "query" parameter must be a non-empty string.`)
	}
	switch name := obj["operationName"].(type) {
	case nil:
	case string:
		p.OperationName = name
	default:
		return bad(`The "operationName" parameter must be a string.`)
	}
	switch vars := obj["variables"].(type) {
	case nil:
	case map[string]any:
		p.Variables = vars
	default:
		return bad(`The "variables" parameter must be an object.`)
	}
	if v, ok := obj["extensions"]; ok && v != nil && !hasExt {
		return bad(`The "extensions" parameter must be an object.`)
	}
	return p, nil
}

// Read negotiates the response's media type from Accept and reads the
// request's parameters, or a batch's requests when maxBatch allows one;
// a request that cannot run is answered with the returned response
// instead. maxBody bounds a POST body, a batch's whole.
func Read(req *http.Request, maxBody int64, maxBatch int) (*Request, Batch, *Response) {
	media, ok := negotiate(req.Header.Get("Accept"))
	if !ok {
		return nil, nil, Failure(MediaJSON, http.StatusNotAcceptable, wire.CodeBadRequest,
			"The Accept header allows neither application/graphql-response+json nor application/json.")
	}
	p, batch, fail := read(req, media, maxBody, maxBatch)
	switch {
	case fail != nil:
		return nil, nil, fail
	case batch != nil:
		return nil, batch, nil
	}
	p.Media, p.Method = media, req.Method
	return &p, nil, nil
}
