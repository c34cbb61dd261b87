package runtime

import "context"

// The roles' own settings (ALTER ROLE … SET) are read at start and
// kept, so a request's settings statement binds them instead of joining
// the catalogs each time. After changing them, reload:
// NOTIFY gqlplan, 'reload' (ListenForReload), or SIGHUP to gqlplan serve.

// ReloadRoleSettings reads the roles' settings again (on failure, the
// ones read before stay).
func (h *Handler) ReloadRoleSettings(ctx context.Context) error { return h.exec.Reload(ctx) }

// ListenForReload listens for NOTIFY gqlplan, 'reload' on a connection of
// its own until ctx ends, reloading the role settings on each (and after
// a lost connection comes back, since a notification may have been
// missed).
func (h *Handler) ListenForReload(ctx context.Context) { h.exec.ListenForReload(ctx) }
