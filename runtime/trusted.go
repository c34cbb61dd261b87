package runtime

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/gqlplan/gqlplan/runtime/internal/operation"
	"github.com/gqlplan/gqlplan/runtime/internal/schema"
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

// warmTrusted reads each trusted document, and collects and composes each
// of its operations that has no variables, once, when the plan is
// loaded: their requests find them parsed, validated, collected and
// composed from the first (the composed cache; a request is still
// authorized, and its claims bound, on its own). The SQL is composed
// here rather than stored in the plan: the plan stays the contract, and
// the statements are whatever this runtime composes from it. Operations
// with variables are composed per shape of their values, on first use.
func (h *Handler) warmTrusted() {
	if len(h.cfg.Plan.Documents) == 0 {
		return
	}
	// Stand-ins for every claim an operation injects: claims are bound
	// as slots, which each request fills with its own.
	claims := map[string]any{}
	for _, ops := range []map[string]*schema.Operation{h.index.Queries, h.index.Mutations, h.index.Subscriptions} {
		for _, op := range ops {
			for _, c := range op.Spec.Claims {
				claims[c] = ""
			}
		}
	}
	for _, d := range h.cfg.Plan.Documents {
		digest := sha256.Sum256([]byte(d.Text))
		for _, op := range d.Operations {
			r, errs := h.docs.ReadDigested(d.Text, digest, op.Name, nil)
			if errs != nil { // a required variable: its requests compose it
				continue
			}
			collected, errs := h.docs.Collect(r)
			if errs != nil {
				continue
			}
			fields, e := h.plan(collected, h.roleCalling(collected), claims, nil, nil, nil)
			if e != nil || slices.ContainsFunc(fields, func(f *rootField) bool { return f.err != nil || f.resolver != nil }) {
				continue
			}
			h.composed.add(r, collected, fields)
		}
	}
}

// roleCalling is a role every root field of op may be called as ("" when
// none is restricted; the plan's checks ensured one exists).
func (h *Handler) roleCalling(op *operation.Operation) string {
	ops := map[operation.Kind]map[string]*schema.Operation{operation.Query: h.index.Queries, operation.Mutation: h.index.Mutations,
		operation.Subscription: h.index.Subscriptions}[op.Kind]
	var roles []string
	for _, f := range op.Fields {
		planned := ops[f.Name]
		if planned == nil || len(planned.Spec.Roles) == 0 {
			continue
		}
		if roles == nil {
			roles = slices.Clone(planned.Spec.Roles)
			continue
		}
		roles = slices.DeleteFunc(roles, func(r string) bool { return !slices.Contains(planned.Spec.Roles, r) })
	}
	if len(roles) == 0 {
		return ""
	}
	return roles[0]
}
