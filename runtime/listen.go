package runtime

import "context"

// The server listens on one connection of its own for two things:
//
//   - NOTIFY gqlplan, 'reload': the roles' own settings (ALTER ROLE … SET)
//     are read at start and kept, so a request's settings statement binds
//     them instead of joining the catalogs each time; after changing
//     them, a migration notifies (or an operator sends gqlplan serve a
//     SIGHUP).
//   - the committed changes of the tables subscriptions read (package
//     changefeed, the triggers gqlplan triggers writes), which read those
//     subscriptions again.

// ReloadRoleSettings reads the roles' settings again (on failure, the
// ones read before stay), and with replicas what each source reads.
func (h *Handler) ReloadRoleSettings(ctx context.Context) error {
	if h.replicas != nil {
		h.readCatalog(ctx)
	}
	return h.exec.Reload(ctx)
}

// Listen listens until ctx ends. A lost connection is opened again with
// backoff; then the role settings are read again and every subscription
// is read again, since a notification may have been missed meanwhile.
// Without it, subscriptions are read again only every
// Limits.SubscriptionPoll.
func (h *Handler) Listen(ctx context.Context) { h.exec.Listen(ctx, &h.live) }
