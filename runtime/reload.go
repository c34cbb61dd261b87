package runtime

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gqlplan/gqlplan/spec"
)

// Reload outcomes, the result label of gqlplan_plan_reloads_total.
const (
	reloadSwapped   = "swapped"   // a new plan serves
	reloadUnchanged = "unchanged" // the plan read is the one serving
	reloadRefused   = "refused"   // it did not load or verify: the old one serves on
)

// Reload reads a plan with read and, when it differs from the plan served
// now, returns the handler that serves it in place of h's newest. The
// new plan must first load (read's own checks: its format and hash),
// name only the resolvers this server has, and match the database's
// catalog (VerifyCatalog, whatever Config.SkipCatalogCheck says: a plan
// compiled against another database is refused, not started on); a plan
// that does not is refused with the error, and the old one serves on.
//
// The caller routes new requests to the handler returned; requests in
// flight finish on the handler they started on, so each runs on one
// plan from start to end. A WebSocket's next operation runs on the new
// plan; a subscription keeps the plan it started on until it ends. The
// handlers share the pool, connections, groups and metrics: nothing is
// dropped or reset by a reload.
func (h *Handler) Reload(ctx context.Context, read func() (*spec.Plan, error)) (*Handler, error) {
	c := h.core
	c.reloading.Lock()
	defer c.reloading.Unlock()
	cur := c.current.Load()
	next, result, err := cur.reload(ctx, read)
	c.metrics.reloads.WithLabelValues(result).Inc()
	if err != nil {
		return nil, err
	}
	c.current.Store(next)
	return next, nil
}

func (h *Handler) reload(ctx context.Context, read func() (*spec.Plan, error)) (*Handler, string, error) {
	plan, err := read()
	if err != nil {
		return nil, reloadRefused, err
	}
	if plan.Hash == h.cfg.Plan.Hash {
		return h, reloadUnchanged, nil
	}
	if err := VerifyCatalog(ctx, h.cfg.Pool, plan); err != nil {
		var stale *StalePlanError
		if errors.As(err, &stale) { // not the advice of a start: a reload is never unchecked
			return nil, reloadRefused, fmt.Errorf("the new plan does not match the database (%d problem(s)); recompile it against this database:\n  %s [stale-plan]",
				len(stale.Problems), strings.Join(stale.Problems, " [stale-plan]\n  "))
		}
		return nil, reloadRefused, fmt.Errorf("the new plan could not be checked against the database: %w", err)
	}
	cfg := h.cfg
	cfg.Plan = plan
	next, err := newPlanHandler(h.core, cfg)
	if err != nil {
		return nil, reloadRefused, fmt.Errorf("the new plan was not loaded: %w", err)
	}
	return next, reloadSwapped, nil
}

// PlanHash is the hash of the plan h serves.
func (h *Handler) PlanHash() string { return h.cfg.Plan.Hash }
