package runtime

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
)

// params are the GraphQL-over-HTTP request parameters.
type params struct {
	Query         string
	OperationName string
	Variables     map[string]any
}

// persistedQueryNotFound answers a request that sends a persisted query's
// hash instead of its document (extensions.persistedQuery, Apollo's and
// urql's automatic persisted queries). The server keeps no documents by
// hash, so it always answers PERSISTED_QUERY_NOT_FOUND, the error those
// clients take as "send the document": 200 to a POST, as they expect; 404
// to a GET, so that no cache keeps the answer as the result of the URL.
func persistedQueryNotFound(media, method string, extensions map[string]any) *response {
	if _, ok := extensions["persistedQuery"].(map[string]any); !ok {
		return nil
	}
	status := http.StatusOK
	if method == http.MethodGet {
		status = http.StatusNotFound
	}
	return requestFailure(media, status, CodePersistedQueryNotFound, "PersistedQueryNotFound")
}

// readParams reads the parameters of a GET (URL query) or POST
// (application/json body) request; any other request is answered with the
// returned response.
func (h *Handler) readParams(req *http.Request, media string) (params, *response) {
	switch req.Method {
	case http.MethodGet:
		q := req.URL.Query()
		p := params{Query: q.Get("query"), OperationName: q.Get("operationName")}
		if p.Query == "" {
			if ext, err := decodeJSON([]byte(q.Get("extensions"))); err == nil {
				obj, _ := ext.(map[string]any)
				if out := persistedQueryNotFound(media, req.Method, obj); out != nil {
					return p, out
				}
			}
			return p, requestFailure(media, http.StatusBadRequest, CodeBadRequest, `The "query" parameter is missing.`)
		}
		if vars := q.Get("variables"); vars != "" {
			v, err := decodeJSON([]byte(vars))
			obj, ok := v.(map[string]any)
			if err != nil || !ok && v != nil {
				return p, requestFailure(media, http.StatusBadRequest, CodeBadRequest, `The "variables" parameter must be a JSON object.`)
			}
			p.Variables = obj
		}
		return p, nil
	case http.MethodPost:
	default:
		out := requestFailure(media, http.StatusMethodNotAllowed, CodeBadRequest, "GraphQL requests use GET or POST.")
		out.header = http.Header{"Allow": {"GET, POST"}}
		return params{}, out
	}
	typ, mparams, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil || typ != mediaJSON {
		return params{}, requestFailure(media, http.StatusUnsupportedMediaType, CodeBadRequest, "POST requests must have Content-Type application/json.")
	}
	if cs, ok := mparams["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return params{}, requestFailure(media, http.StatusUnsupportedMediaType, CodeBadRequest, "The request body must be UTF-8.")
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, req.Body, h.cfg.Limits.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return params{}, requestFailure(media, http.StatusRequestEntityTooLarge, CodeRequestTooLarge, "The request body is larger than the server accepts.")
		}
		return params{}, requestFailure(media, http.StatusBadRequest, CodeBadRequest, "The request body could not be read.")
	}
	return parseBody(body, media)
}

// parseBody reads {"query", "operationName", "variables", "extensions"}.
func parseBody(body []byte, media string) (params, *response) {
	bad := func(msg string) (params, *response) {
		return params{}, requestFailure(media, http.StatusBadRequest, CodeBadRequest, msg)
	}
	v, err := decodeJSON(body)
	if err != nil {
		return bad("The request body is not valid JSON.")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		if _, batch := v.([]any); batch {
			return params{}, requestFailure(media, http.StatusBadRequest, CodeBatchingDisabled, "Batched requests are not supported; send one operation per request.")
		}
		return bad("The request body must be a JSON object.")
	}
	var p params
	ext, hasExt := obj["extensions"].(map[string]any)
	if q, ok := obj["query"]; !ok || q == nil {
		if out := persistedQueryNotFound(media, http.MethodPost, ext); out != nil {
			return p, out
		}
	}
	if p.Query, ok = obj["query"].(string); !ok || p.Query == "" {
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
