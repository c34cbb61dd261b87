package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/auth"
)

// settingsTemplate sets, for the rest of the transaction only (is_local
// = true, so a pooled connection carries nothing into the next request):
//
//  1. the role ($1, when not empty);
//  2. the default statement_timeout ($2, when not empty);
//  3. the role's own settings (ALTER ROLE … [IN DATABASE …] SET), which a
//     role switch does not apply, those for this database last, but not
//     those only a superuser may change (listed in by settingsStatement);
//  4. the claims ($3 names, $4 values).
//
// The rows are sorted before set_config runs (PostgreSQL evaluates a
// volatile target list after ORDER BY), so a later step overrides an
// earlier one. One statement whatever the claims, prepared once per
// connection (see executor.run); the role settings are read before the
// role is switched.
const settingsTemplate = `SELECT set_config(c.k, c.v, true) FROM (
	SELECT 0, 'role', $1::text WHERE $1::text <> ''
	UNION ALL SELECT 1, 'statement_timeout', $2::text WHERE $2::text <> ''
	UNION ALL SELECT 2 + (d.setdatabase <> 0)::int, split_part(kv, '=', 1), substr(kv, strpos(kv, '=') + 1)
		FROM pg_catalog.pg_db_role_setting d JOIN pg_catalog.pg_roles r ON r.oid = d.setrole, unnest(d.setconfig) kv
		WHERE r.rolname = $1::text
		AND d.setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()))
		AND split_part(kv, '=', 1) <> ALL (%s::text[])
	UNION ALL SELECT 4, u.k, u.v FROM unnest($3::text[], $4::text[]) AS u(k, v)
) AS c(o, k, v) ORDER BY c.o`

// parameterName is what a built-in parameter's name looks like; the list
// written into the statement holds only such names.
var parameterName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// settingsStatement reads, once, the parameters a role may hold but a
// request may not set — those of superuser and backend context (ALTER
// ROLE … SET accepts no others but user ones), and role itself — and
// writes them into the settings statement. They are a fact of the server's
// version, not of any request; reading pg_settings inside the statement
// would cost every request of a role with settings about 0.3 ms.
func settingsStatement(ctx context.Context, pool *pgxpool.Pool) (string, error) {
	rows, _ := pool.Query(ctx, `SELECT name FROM pg_catalog.pg_settings
		WHERE context IN ('superuser', 'superuser-backend', 'backend') OR name IN ('role', 'session_authorization') ORDER BY name`)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", fmt.Errorf("read the parameters a request may not set: %w", err)
	}
	names = slices.DeleteFunc(names, func(n string) bool { return !parameterName.MatchString(n) })
	return fmt.Sprintf(settingsTemplate, "'{"+strings.Join(names, ",")+"}'"), nil
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

// session is the role and settings of one request's transaction.
type session struct {
	role, timeout string
	keys, values  []string
}

// newSession derives the transaction settings from the request's identity
// and the default statement timeout (0: the server's).
func newSession(who auth.Identity, timeout time.Duration) session {
	s := session{role: who.Role}
	if timeout > 0 {
		s.timeout = strconv.FormatInt(timeout.Milliseconds(), 10)
	}
	if who.Claims == nil {
		return s
	}
	names := make([]string, 0, len(who.Claims))
	for name := range who.Claims {
		if isSettingName(name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		s.add("jwt.claims."+name, claimText(who.Claims[name]))
	}
	all, _ := json.Marshal(who.Claims)
	s.add("request.jwt.claims", string(all))
	return s
}

func (s *session) add(k, v string) {
	s.keys = append(s.keys, k)
	s.values = append(s.values, v)
}

// queue adds the settings statement (see settingsStatement), prepared as
// settingsID, to a pipeline.
func (s *session) queue(b *pgx.Batch, settingsID string) {
	b.Queue(settingsID, s.role, s.timeout, s.keys, s.values)
}

// executor runs root fields' statements on the pool.
type executor struct {
	pool       *pgxpool.Pool
	settingsID string                                      // the settings statement's prepared name
	fixed      []fixedStatement                            // prepared on every connection: the settings statement, BEGIN, COMMIT
	fault      func(ctx context.Context, err error) *Error // maps a database error to a client error
}

// fixedStatement is a statement whose text every request sends: it is
// prepared on each connection once (see prepareFixed) and queued by name,
// so PostgreSQL does not parse it per request. None touches a table, so the authenticator role can
// prepare them outside a transaction.
type fixedStatement struct{ name, sql string }

var (
	beginReadOnly = fixedStatement{"gqlplan_begin_read_only", "BEGIN READ ONLY"}
	beginWrite    = fixedStatement{"gqlplan_begin", "BEGIN"}
	commit        = fixedStatement{"gqlplan_commit", "COMMIT"}
)

// newExecutor makes the executor of a pool whose settings statement (see
// settingsStatement) is settingsSQL.
func newExecutor(pool *pgxpool.Pool, settingsSQL string, fault func(context.Context, error) *Error) *executor {
	sum := sha256.Sum256([]byte(settingsSQL))
	settings := fixedStatement{"gqlplan_settings_" + hex.EncodeToString(sum[:6]), settingsSQL}
	return &executor{
		pool:       pool,
		settingsID: settings.name,
		fixed:      []fixedStatement{settings, beginReadOnly, beginWrite, commit},
		fault:      fault,
	}
}

// run executes the fields that have a statement on one pooled connection,
// reading their results into arena; a request whose fields need no SQL
// takes no connection.
func (x *executor) run(ctx context.Context, mutation bool, sess session, fields []*rootField, arena *[]byte) *Error {
	pending := sqlFields(fields)
	if len(pending) == 0 {
		return nil
	}
	conn, err := x.pool.Acquire(ctx)
	if err != nil {
		return x.unavailable(ctx, err)
	}
	defer conn.Release()
	set := preparedOn(conn)
	if err := x.prepareFixed(ctx, conn, set); err != nil {
		return x.fault(ctx, err)
	}
	x.prepareFields(ctx, conn, set, sess, pending)
	if mutation {
		return x.mutate(ctx, conn, sess, pending, arena)
	}
	return x.query(ctx, conn, sess, pending, arena)
}

// query runs the statements of a query in one read-only transaction: BEGIN,
// set_config, the statements and COMMIT are sent as one pipeline, so the
// request costs one network round trip. When a statement fails, the fields
// before it keep their results, it gets its error, and the fields after it
// run again in a new transaction.
func (x *executor) query(ctx context.Context, conn *pgxpool.Conn, sess session, pending []*rootField, arena *[]byte) *Error {
	for len(pending) > 0 {
		batch := &pgx.Batch{}
		batch.Queue(beginReadOnly.name)
		sess.queue(batch, x.settingsID)
		for _, f := range pending {
			batch.Queue(f.stmt.text(), f.stmt.args...)
		}
		batch.Queue(commit.name)
		results := conn.SendBatch(ctx, batch)
		failed, fatal := x.readQuery(ctx, results, pending, arena)
		closeErr := results.Close()
		if fatal != nil {
			x.rollback(ctx, conn)
			return fatal
		}
		if failed < 0 {
			if closeErr != nil {
				return x.fault(ctx, closeErr)
			}
			return nil
		}
		x.rollback(ctx, conn)
		pending = pending[failed+1:]
	}
	return nil
}

// readQuery reads a query pipeline's results into pending; it returns the
// index of the failed field (or -1) or an error that fails every field.
func (x *executor) readQuery(ctx context.Context, results pgx.BatchResults, pending []*rootField, arena *[]byte) (int, *Error) {
	if _, err := results.Exec(); err != nil {
		return -1, x.fault(ctx, err)
	}
	if _, err := results.Exec(); err != nil {
		return -1, x.sessionFault(ctx, err)
	}
	for i, f := range pending {
		if err := f.scan(results, arena); err != nil {
			f.fail(x.fault(ctx, err))
			return i, nil
		}
	}
	if _, err := results.Exec(); err != nil {
		return -1, x.fault(ctx, err)
	}
	return -1, nil
}

// mutate runs the mutation fields serially in one transaction (GraphQL
// executes root mutation fields in order). With several fields each runs
// inside a SAVEPOINT, so a failed one is rolled back alone and the others
// commit. Each field costs one round trip; BEGIN and the settings ride with
// the first, COMMIT with the last.
func (x *executor) mutate(ctx context.Context, conn *pgxpool.Conn, sess session, pending []*rootField, arena *[]byte) *Error {
	savepoints := len(pending) > 1
	for i, f := range pending {
		first, last := i == 0, i == len(pending)-1
		batch := &pgx.Batch{}
		if first {
			batch.Queue(beginWrite.name)
			sess.queue(batch, x.settingsID)
		}
		if savepoints {
			batch.Queue("SAVEPOINT gqlplan_field")
		}
		batch.Queue(f.stmt.text(), f.stmt.args...)
		if savepoints {
			batch.Queue("RELEASE SAVEPOINT gqlplan_field")
		}
		if last {
			batch.Queue(commit.name)
		}
		results := conn.SendBatch(ctx, batch)
		fatal := func() *Error {
			if first {
				if _, err := results.Exec(); err != nil {
					return x.fault(ctx, err)
				}
				if _, err := results.Exec(); err != nil {
					return x.sessionFault(ctx, err)
				}
			}
			if savepoints {
				if _, err := results.Exec(); err != nil {
					return x.fault(ctx, err)
				}
			}
			if err := f.scan(results, arena); err != nil {
				f.fail(x.fault(ctx, err))
				return nil
			}
			return nil
		}()
		var closeErr error
		if fatal == nil && f.err == nil {
			if savepoints {
				_, closeErr = results.Exec()
			}
			if last && closeErr == nil {
				_, closeErr = results.Exec()
			}
		}
		if err := results.Close(); closeErr == nil {
			closeErr = err
		}
		switch {
		case fatal != nil:
			x.rollback(ctx, conn)
			return fatal
		case f.err != nil && savepoints:
			if _, err := conn.Exec(ctx, "ROLLBACK TO SAVEPOINT gqlplan_field"); err != nil {
				x.rollback(ctx, conn)
				return x.fault(ctx, err)
			}
			if last {
				if _, err := conn.Exec(ctx, "COMMIT"); err != nil {
					return x.fault(ctx, err)
				}
			}
		case f.err != nil:
			x.rollback(ctx, conn)
		case closeErr != nil:
			x.rollback(ctx, conn)
			return x.fault(ctx, closeErr)
		}
	}
	return nil
}

// rollback ends a failed transaction so the connection goes back to the
// pool clean; if even that fails, the pool discards the connection
// (pgxpool never reuses one that is not idle).
func (x *executor) rollback(ctx context.Context, conn *pgxpool.Conn) {
	if conn.Conn().PgConn().TxStatus() == 'I' {
		return
	}
	if _, err := conn.Exec(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
		conn.Conn().Close(context.WithoutCancel(ctx))
	}
}

func (x *executor) unavailable(ctx context.Context, err error) *Error {
	e := x.fault(ctx, err)
	if e.Code == CodeInternal {
		e.Code = CodeUnavailable
	}
	return e
}

// sessionFault is a failure of set_config: the role the token names does
// not exist or the server's role may not switch to it.
func (x *executor) sessionFault(ctx context.Context, err error) *Error {
	e := x.fault(ctx, err)
	if code := sqlState(err); code == "22023" || code == "42501" || code == "42704" {
		return &Error{Message: "The role of this request is not available: the token's role does not exist or may not be used.", Code: CodeForbidden}
	}
	return e
}

// scan reads the field's one-row, one-column result into arena as bytes:
// PostgreSQL built valid JSON, and pgx would decode a json.RawMessage
// target through encoding/json, which validates the whole value again (a
// cost that grows with the response).
func (f *rootField) scan(results pgx.BatchResults, arena *[]byte) error {
	return results.QueryRow().Scan(resultScanner{arena, &f.result})
}

func sqlFields(fields []*rootField) []*rootField {
	var out []*rootField
	for _, f := range fields {
		if f.stmt != nil && f.err == nil {
			out = append(out, f)
		}
	}
	return out
}
