package runtime

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/gqlplan/gqlplan/runtime/internal/transport"
	"github.com/gqlplan/gqlplan/spec"
)

// Trusted documents (Config.TrustedDocuments) are the plan's documents,
// which compile --documents checked: a request may name one by its id —
// GraphQL over HTTP's documentId, Apollo's persisted-query hash, Relay's
// doc_id — instead of sending its text. Off, ids are not looked up (an
// id-only request gets PERSISTED_QUERY_NOT_FOUND, which automatic
// persisted queries answer by sending the text); allow serves the plan's
// documents by id and any other document too, counting which were
// trusted; only serves the plan's documents alone: any other text is
// refused before it is parsed (with AllowIntrospection, a document asking
// only for __schema, __type and __typename is served too).

// Trusted-documents modes.
const (
	TrustedOff   = "off"
	TrustedAllow = "allow"
	TrustedOnly  = "only"
)

// trustedDocument is a trusted document's text and its SHA-256.
type trustedDocument struct {
	text   string
	digest [sha256.Size]byte
}

// trustedIndex is the plan's documents by every id a request may give:
// "sha256:<hex>", the bare hex (an Apollo hash), and the manifests'.
func trustedIndex(plan *spec.Plan) map[string]*trustedDocument {
	index := make(map[string]*trustedDocument, 2*len(plan.Documents))
	for _, d := range plan.Documents {
		doc := &trustedDocument{text: d.Text, digest: sha256.Sum256([]byte(d.Text))}
		index[d.ID] = doc
		index[strings.TrimPrefix(d.ID, "sha256:")] = doc
		for _, alias := range d.Aliases {
			index[alias] = doc
		}
	}
	return index
}

// resolveDocument gives params its document when it named one by id, and
// says whether it is trusted; a request that cannot be served as the
// mode says is answered with the returned response.
func (h *Handler) resolveDocument(params *transport.Request) *transport.Response {
	mode := h.cfg.TrustedDocuments
	if mode == "" || mode == TrustedOff {
		if params.Query == "" && params.DocumentID != "" {
			return transport.DocumentNotFound(params, "PersistedQueryNotFound")
		}
		return nil
	}
	if params.DocumentID != "" {
		if doc, ok := h.trusted[params.DocumentID]; ok {
			params.Query, params.Trusted, params.Digest = doc.text, true, &doc.digest
			return nil
		}
		if params.Query == "" {
			return transport.DocumentNotFound(params, "PersistedQueryNotFound")
		}
		// An id the plan does not know, with a text (an automatic
		// persisted query registering itself): the text decides.
	}
	sum := sha256.Sum256([]byte(params.Query))
	if doc, ok := h.trusted[hex.EncodeToString(sum[:])]; ok {
		params.Trusted, params.Digest = true, &doc.digest
		return nil
	}
	if mode == TrustedOnly && !(h.cfg.AllowIntrospection && h.docs.IntrospectionOnly(params.Query, params.OperationName)) {
		return transport.DocumentNotFound(params, "This server runs its trusted documents only: send one of them, or its documentId.")
	}
	return nil
}

// trustLabel is what a request's log line says of its document with
// trusted documents on ("yes" or "no"), and counts it; "" when off.
func (h *Handler) trustLabel(params *transport.Request) string {
	if mode := h.cfg.TrustedDocuments; mode == "" || mode == TrustedOff {
		return ""
	}
	if h.metricsOn.Load() {
		h.metrics.trustedOf[params.Trusted].Inc()
	}
	if params.Trusted {
		return "yes"
	}
	return "no"
}

// checkTrustedConfig refuses a mode this server does not know.
func checkTrustedConfig(cfg Config) error {
	switch cfg.TrustedDocuments {
	case "", TrustedOff, TrustedAllow, TrustedOnly:
		return nil
	}
	return fmt.Errorf("TrustedDocuments is %q; it must be off, allow or only", cfg.TrustedDocuments)
}
