package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gqlplan/gqlplan/spec"
)

// planReloader loads the plan file of serve again — on SIGHUP, and with
// --watch-plan when the file changes — and serves the new plan once the
// runtime has verified it (runtime.Handler.Reload); one that fails is
// logged and counted, and the old plan serves on.
type planReloader struct {
	log  *slog.Logger
	api  *gate
	read func() (*spec.Plan, error)
	path string // resolved: what --watch-plan stats
}

// watchInterval is how often --watch-plan looks at the plan file. It
// polls rather than subscribing to inotify: a Kubernetes ConfigMap is
// updated by swapping a symlink above the file, and compile by renaming
// a new file over the old; a stat of the path follows both.
const watchInterval = time.Second

// start reloads on SIGHUP (the roles' settings too, as NOTIFY gqlplan,
// 'reload' does) and, when watch, on a change of the file, until ctx
// ends. SIGHUP is taken before it returns: a SIGHUP's default is to end
// the process.
func (r *planReloader) start(ctx context.Context, watch bool) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go r.run(ctx, watch, hup)
}

func (r *planReloader) run(ctx context.Context, watch bool, hup chan os.Signal) {
	defer signal.Stop(hup)
	var tick <-chan time.Time
	seen := r.fingerprint()
	if watch {
		t := time.NewTicker(watchInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			seen = r.fingerprint()
			r.reload(ctx, "SIGHUP")
			r.reloadRoleSettings(ctx)
		case <-tick:
			if now := r.fingerprint(); now != seen {
				seen = now
				r.reload(ctx, "watch")
			}
		}
	}
}

// fingerprint is what tells a changed plan file: its size and time of
// modification ("" when it cannot be read: a change once it can).
func (r *planReloader) fingerprint() string {
	st, err := os.Stat(r.path)
	if err != nil {
		return ""
	}
	return fmt.Sprint(st.Size(), st.ModTime().UnixNano())
}

func (r *planReloader) reload(ctx context.Context, on string) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cur := r.api.handler.Load()
	next, err := cur.Reload(ctx, r.read)
	switch {
	case err != nil:
		r.log.Error("the plan file was not loaded; the plan served before serves on", "on", on, "error", err.Error())
	case next == cur:
		r.log.Info("the plan file holds the plan served already", "on", on, "hash", next.PlanHash())
	default:
		r.api.set(next)
		r.log.Info("serving a new plan", "on", on, "hash", next.PlanHash())
	}
}

func (r *planReloader) reloadRoleSettings(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := r.api.handler.Load().ReloadRoleSettings(ctx); err != nil {
		r.log.Warn("reloading the roles' settings failed; the previous ones stay", "error", err.Error())
	} else {
		r.log.Info("reloaded the roles' settings", "on", "SIGHUP")
	}
}
