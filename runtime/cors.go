package runtime

import (
	"net/http"
	"slices"

	"github.com/gqlplan/gqlplan/runtime/internal/transport"
)

// cors answers CORS for the configured origins and reports whether the
// request was a preflight, now answered. Without configured origins no
// CORS header is ever written, so browsers keep cross-origin pages out.
// Tokens travel in the Authorization header, never in cookies, so
// credentials are not allowed.
func (h *Handler) cors(w http.ResponseWriter, req *http.Request) bool {
	origin := req.Header.Get("Origin")
	if origin == "" || len(h.cfg.CORSOrigins) == 0 {
		return false
	}
	w.Header().Add("Vary", "Origin")
	allowed := slices.Contains(h.cfg.CORSOrigins, "*") || slices.Contains(h.cfg.CORSOrigins, origin)
	preflight := req.Method == http.MethodOptions && req.Header.Get("Access-Control-Request-Method") != ""
	switch {
	case preflight && !allowed:
		out := transport.Failure(transport.MediaJSON, http.StatusForbidden, CodeCORSOriginNotAllowed, "This origin may not call the API.")
		out.Write(w)
		return true
	case !allowed:
		return false // answered without CORS headers: the browser withholds it
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	if !preflight {
		w.Header().Set("Access-Control-Expose-Headers", "X-Request-Id, "+ReadAfterHeader)
		return false
	}
	w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
	w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept, "+ReadAfterHeader)
	w.Header().Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return true
}
