package runtime

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/gqlplan/gqlplan/runtime/internal/wire"
	"github.com/gqlplan/gqlplan/spec"
)

// tokenOperations are the names of the plan's operations that sign
// tokens, sorted (queries then mutations, as the plan lists them).
func tokenOperations(p *spec.Plan) []string {
	var names []string
	for _, ops := range [][]spec.Operation{p.Queries, p.Mutations} {
		for _, op := range ops {
			if op.Token {
				names = append(names, op.Name)
			}
		}
	}
	return names
}

// signTokens replaces the claims PostgreSQL returned for token fields by
// the signed token (a JSON string); a null row stays null. The claims are
// never logged: they may identify the caller.
func (h *Handler) signTokens(ctx context.Context, fields []*rootField) {
	for _, f := range fields {
		if !f.token || f.err != nil || len(f.result) == 0 || string(f.result) == "null" {
			continue
		}
		token, err := h.cfg.Signer.SignJSON(f.result)
		if err != nil {
			h.log.LogAttrs(ctx, slog.LevelError, "token not signed", slog.String("request_id", wire.RequestID(ctx)), slog.String("field", f.key), slog.String("error", err.Error()))
			f.result = nil
			f.fail(&Error{Message: "The token could not be issued; the server log has the details under this request id.", Code: CodeInternal, Extra: map[string]any{"requestId": wire.RequestID(ctx)}})
			continue
		}
		f.result, _ = json.Marshal(token)
	}
}
