package pgexec

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/auth"
	"github.com/gqlplan/gqlplan/internal/changefeed"
	"github.com/gqlplan/gqlplan/runtime/internal/sqlgen"
)

// settingsSQL sets, for the rest of the transaction only (is_local =
// true, so a pooled connection carries nothing into the next request),
// each name of $1 to the value of $2, in order, so a later one overrides
// an earlier one (PostgreSQL evaluates a volatile target list after ORDER
// BY): the role, the default statement_timeout, the role's own settings,
// transaction_read_only for a query, then the claims. One statement text
// whatever the request, prepared once per connection; every value bound.
// Requests of 1 to plainSettingsPairs settings — nearly all — use
// plainSettingsSQL instead, whose set_config calls are also local.
const settingsSQL = `SELECT set_config(u.k, u.v, true) FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(k, v, o) ORDER BY u.o`

// roleSettingsSQL reads every role's own settings (ALTER ROLE … [IN
// DATABASE …] SET), which a role switch does not apply: those for this
// database last, so they win.
const roleSettingsSQL = `SELECT r.rolname::text, kv FROM pg_catalog.pg_db_role_setting d
	JOIN pg_catalog.pg_roles r ON r.oid = d.setrole, unnest(d.setconfig) kv
	WHERE d.setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()))
	ORDER BY 1, d.setdatabase <> 0`

// roleSettings holds the roles' own settings, read at start and on
// [Executor.Reload] (NOTIFY gqlplan, 'reload'; SIGHUP), as PostgREST reads
// its schema cache: joining the catalogs in every request's settings
// statement was most of what that statement cost PostgreSQL, and a
// request reads them without a round trip of its own.
type roleSettings struct {
	mu     sync.RWMutex
	byRole map[string][]any // name, value, … (see settingsPairs)
	// lead holds the leading settings of the roles requests came as
	// (see leadOf), up to maxLeadRoles of them; emptied on Reload.
	lead map[string]*leadingSettings
	// forbidden are the parameters a role may hold but a request may not
	// set: those of superuser and backend context, and role itself.
	forbidden map[string]bool
}

// readForbidden reads, once, the parameters a request may not set. They
// are a fact of the server's version, not of any request.
func readForbidden(ctx context.Context, pool *pgxpool.Pool) (map[string]bool, error) {
	rows, _ := pool.Query(ctx, `SELECT name FROM pg_catalog.pg_settings
		WHERE context IN ('superuser', 'superuser-backend', 'backend') OR name IN ('role', 'session_authorization') ORDER BY name`)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("read the parameters a request may not set: %w", err)
	}
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out, nil
}

// leadingSettings are the settings every request of a role starts with:
// the role, the default statement timeout, the role's own settings; for
// a query then transaction_read_only. They are name, value, … pairs
// (see settingsPairs), each string boxed for pgx once, not per request;
// shared, never changed, and at capacity, so that appending to them
// copies them.
type leadingSettings struct{ query, mutation []any }

// maxLeadRoles bounds the roles whose leading settings are kept: a token
// may name any role, and those beyond it are derived per request.
const maxLeadRoles = 1024

// leadOf is the leading settings of role ("": no role switch, the
// session's own settings hold).
func (x *Executor) leadOf(role string) *leadingSettings {
	x.roles.mu.RLock()
	lead := x.roles.lead[role]
	x.roles.mu.RUnlock()
	if lead != nil {
		return lead
	}
	x.roles.mu.Lock()
	defer x.roles.mu.Unlock()
	if lead = x.roles.lead[role]; lead != nil {
		return lead
	}
	own := x.roles.byRole[role]
	write := make([]any, 0, 4+len(own))
	if role != "" {
		write = append(write, "role", role)
	}
	if x.timeout != "" {
		write = append(write, "statement_timeout", x.timeout)
	}
	write = append(write, own...)
	read := append(slices.Clip(write), "transaction_read_only", "on")
	lead = &leadingSettings{query: slices.Clip(read), mutation: slices.Clip(write)}
	if x.roles.lead == nil {
		x.roles.lead = map[string]*leadingSettings{}
	}
	if len(x.roles.lead) < maxLeadRoles {
		x.roles.lead[role] = lead
	}
	return lead
}

// Reload reads the roles' settings again; on failure the ones read before
// stay.
func (x *Executor) Reload(ctx context.Context) error {
	rows, _ := x.pool.Query(ctx, roleSettingsSQL)
	byRole := map[string][]any{}
	var role, kv string
	_, err := pgx.ForEachRow(rows, []any{&role, &kv}, func() error {
		if name, value, _ := strings.Cut(kv, "="); !x.roles.forbidden[name] {
			byRole[role] = append(byRole[role], name, value)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read the roles' settings: %w", err)
	}
	x.roles.mu.Lock()
	x.roles.byRole, x.roles.lead = byRole, nil
	x.roles.mu.Unlock()
	return nil
}

// reload is Reload, logged.
func (x *Executor) reload(ctx context.Context, why string) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := x.Reload(ctx); err != nil {
		x.log.Warn("reloading the roles' settings failed; the previous ones stay", "error", err.Error())
		return
	}
	x.log.Info("reloaded the roles' settings", "on", why)
}

// ListenerName is the application_name of the connection Listen holds.
const ListenerName = "gqlplan listener"

// Changes is told what the listener hears of the tables subscriptions
// read (see package changefeed).
type Changes interface {
	// Changed: a committed change to table, the notification's payload.
	Changed(table string)
	// Missed: the listener (re)connected, so notifications sent while it
	// was away are lost.
	Missed()
}

// The listener retries soon and often: while it is away, subscriptions
// are not told of changes, so after PostgreSQL comes back it should be
// back within a second; a failed connection attempt costs little.
const (
	listenRetry    = 250 * time.Millisecond
	listenRetryMax = time.Second
)

// Listen holds one connection of its own, outside the pool, until ctx
// ends, LISTENing on two channels: gqlplan, where the payload "reload"
// (NOTIFY gqlplan, 'reload', what a migration runs after ALTER ROLE …
// SET) reloads the roles' settings, and changefeed.Channel, whose
// notifications go to changes. A lost connection is opened again with
// backoff; then the settings reload and changes hears Missed, since
// notifications may have been lost meanwhile.
func (x *Executor) Listen(ctx context.Context, changes Changes) {
	cfg := x.pool.Config().ConnConfig.Copy()
	if x.listen != nil {
		cfg = x.listen.Copy()
	}
	cfg.RuntimeParams["application_name"] = ListenerName // tells it apart in pg_stat_activity
	// Waiting for a notification runs no statement: a cancel request
	// would stop nothing, so ending the wait closes the socket at once.
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()}
	}
	listen := "LISTEN gqlplan; LISTEN " + pgx.Identifier{changefeed.Channel}.Sanitize()
	for backoff := listenRetry; ctx.Err() == nil; backoff = min(2*backoff, listenRetryMax) {
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err == nil {
			if _, err = conn.Exec(ctx, listen); err == nil {
				x.reload(ctx, "listening again")
				changes.Missed()
				backoff = listenRetry
				for {
					var n *pgconn.Notification
					if n, err = conn.WaitForNotification(ctx); err != nil {
						break
					}
					switch {
					case n.Channel == changefeed.Channel:
						changes.Changed(n.Payload)
					case n.Payload == "reload":
						x.reload(ctx, "NOTIFY gqlplan")
					}
				}
			}
			conn.Close(context.WithoutCancel(ctx))
		}
		if ctx.Err() != nil {
			return
		}
		x.log.Warn("listening for notifications failed; retrying", "in", backoff, "error", err.Error())
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
		}
	}
}

// isSettingName reports whether PostgreSQL accepts name after
// "jwt.claims." ([A-Za-z_][A-Za-z0-9_$]*): claims with other names are
// left out of jwt.claims.* (they are still in request.jwt.claims). A loop,
// not a regexp: it runs for every claim of every request.
func isSettingName(name string) bool {
	for i, c := range []byte(name) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '$'):
		default:
			return false
		}
	}
	return name != ""
}

// Session is the role and settings of one request's transaction.
type Session struct {
	role string
	lead *leadingSettings
	// claims are the claims' settings as name, value, … (see
	// settingsPairs); shared, never changed.
	claims []any
}

// NewSession derives the transaction settings from the request's
// identity: its role and that role's own settings, the default statement
// timeout, and its claims.
func (x *Executor) NewSession(who auth.Identity) Session {
	s := Session{role: who.Role, lead: x.leadOf(who.Role)}
	if who.Claims == nil {
		return s
	}
	if who.ClaimsJSON == "" { // an identity not made by auth.Verifier
		b, _ := json.Marshal(who.Claims)
		s.claims = claimSettings(who.Claims, string(b))
		return s
	}
	var ok bool
	if s.claims, ok = x.claims.Get(who.ClaimsJSON); !ok {
		s.claims = claimSettings(who.Claims, who.ClaimsJSON)
		x.claims.Add(who.ClaimsJSON, s.claims)
	}
	return s
}

// claimCacheSize is how many claim sets an executor keeps the settings
// of: a client sends the same token with every request, and deriving
// them (sorting the claims, formatting each value, boxing each name and
// value for pgx) was a fifth of a mutation's allocations. The settings
// are a function of the claims' JSON (json.Marshal sorts the names and
// spells each value one way), so it is their key.
const claimCacheSize = auth.DefaultCacheTokens

// claimSettings are the settings of claims, whose JSON is all: each one
// whose name PostgreSQL accepts as jwt.claims.<name>, in the order of
// their names, then request.jwt.claims.
func claimSettings(claims map[string]any, all string) []any {
	names := make([]string, 0, len(claims))
	for name := range claims {
		if isSettingName(name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	pairs := make([]any, 0, 2*(len(names)+1))
	for _, name := range names {
		pairs = append(pairs, "jwt.claims."+name, sqlgen.ClaimText(claims[name]))
	}
	return append(pairs, "request.jwt.claims", all)
}

// plainSettingsPairs is the most settings the settings statement sets by
// plain set_config calls; a request with more (a token of many claims)
// uses settingsSQL's arrays.
const plainSettingsPairs = 16

// plainSettingsSQL sets n settings, in order, by set_config calls over
// bound pairs: cheaper for PostgreSQL than unnesting two arrays and
// sorting them. The calls are the arguments of one num_nulls, which
// PostgreSQL evaluates left to right, as it does a target list, so a later
// setting overrides an earlier one; and the statement answers one integer
// rather than a column of each value it set: pgx allocates every column's
// name of every row description it reads, and each value set (the claims
// among them) would come back for nothing. They are written once: every
// request names one.
func plainSettingsSQL(n int) string { return plainSettingsSQLs[n] }

var plainSettingsSQLs = func() (out [plainSettingsPairs + 1]string) {
	for n := range out {
		out[n] = writePlainSettingsSQL(n)
	}
	return out
}()

func writePlainSettingsSQL(n int) string {
	var b strings.Builder
	b.WriteString("SELECT num_nulls(")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "set_config($%d, $%d, true)", 2*i+1, 2*i+2)
	}
	b.WriteString(")")
	return b.String()
}

// settingsPairs are the settings of sess as name, value, name, value…:
// the role, the timeout, the role's own settings, read-only for a query
// (the leading settings, see leadingSettings), then the claims. Both
// parts are kept as such pairs (the leading ones by role, the claims' by
// their JSON), so a request without claims sets its role's shared pairs,
// and one with claims allocates only their concatenation.
func settingsPairs(sess Session, readOnly bool) []any {
	lead := sess.lead.mutation
	if readOnly {
		lead = sess.lead.query
	}
	if len(sess.claims) == 0 {
		return lead
	}
	return append(append(make([]any, 0, len(lead)+len(sess.claims)), lead...), sess.claims...)
}

// queueSettings adds the settings statement of pairs (see settingsPairs)
// to a pipeline.
func (x *Executor) queueSettings(ctx context.Context, conn *pgxpool.Conn, set *preparedSet, b *pipeline, pairs []any) error {
	name, sql, args, err := x.settingsStatement(ctx, conn, set, pairs)
	if err == nil {
		b.add(cmp.Or(name, sql), args...)
	}
	return err
}

// settingsStatement is the settings statement of pairs (see
// settingsPairs), by prepared name ("" with Options.Unnamed), with its
// SQL and arguments: the plain one of their number, prepared on conn
// (whose set is set) the first time it is needed, or the one of arrays.
func (x *Executor) settingsStatement(ctx context.Context, conn *pgxpool.Conn, set *preparedSet, pairs []any) (name, sql string, args []any, err error) {
	n := len(pairs) / 2
	if n == 0 || n > plainSettingsPairs {
		keys, values := make([]string, n), make([]string, n)
		for i := range n {
			keys[i], values[i] = pairs[2*i].(string), pairs[2*i+1].(string)
		}
		if x.unnamed {
			return "", settingsSQL, []any{keys, values}, nil
		}
		return x.settingsID, settingsSQL, []any{keys, values}, nil
	}
	sql = plainSettingsSQL(n)
	if x.unnamed {
		return "", sql, pairs, nil
	}
	name = set.settings[n]
	if name == "" {
		name = "gqlplan_set_config_" + strconv.Itoa(n)
		if _, err := conn.Conn().Prepare(ctx, name, sql); err != nil {
			return "", "", nil, err
		}
		set.settings[n] = name
	}
	return name, sql, pairs, nil
}
