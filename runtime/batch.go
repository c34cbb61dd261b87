package runtime

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/runtime/internal/transport"
)

// A batch (Limits.MaxBatch) is what Apollo's BatchHttpLink and
// graphql-request's batchRequests send: a JSON array of requests in one
// POST, answered by an array of their responses, in order. Each request
// runs as if sent alone — its own transaction, its own errors, its own
// log line and metrics — one after the other, so that a mutation's
// effect is seen by the queries after it. What bounds one request bounds
// the batch whole: the body size, the request timeout, and the cost,
// which the batch's requests share.

// answerBatch runs the requests of batch as who, in order.
func (h *Handler) answerBatch(ctx context.Context, method string, batch transport.Batch, who auth.Identity) outcome {
	budget := &costBudget{left: h.cfg.Limits.MaxCost}
	bodies := make([][]byte, len(batch))
	for i, entry := range batch {
		start := time.Now()
		out := outcome{Response: entry.Refused}
		if entry.Request != nil {
			out = h.answer(ctx, entry.Request, who, budget)
		}
		bodies[i] = out.Body()
		transport.ReturnBuffer(out.arena)
		h.logRequest(ctx, method, out, nil, time.Since(start))
	}
	return outcome{Response: &transport.Response{Media: batch.Media(), Status: http.StatusOK, Batch: bodies}, logged: true}
}

// costBudget is what a batch's requests may still return, of
// Limits.MaxCost (0: no bound).
type costBudget struct {
	spent, left int64
}

// spend takes cost from the budget, or refuses it when it does not fit.
func (b *costBudget) spend(cost int64) *Error {
	if cost > b.left {
		return &Error{
			Message: fmt.Sprintf("The requests of this batch could return at least %d values, more than the %d this server allows in one request; send fewer or smaller operations.", b.spent+cost, b.spent+b.left),
			Code:    CodeCostTooHigh, Extra: map[string]any{"cost": b.spent + cost, "maxCost": b.spent + b.left},
		}
	}
	b.spent += cost
	b.left -= cost
	return nil
}
