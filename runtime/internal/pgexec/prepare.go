package pgexec

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Field statements are prepared on each pooled connection the first time
// it runs them, so a repeated request costs PostgreSQL an execution of a
// cached plan, not a parse, a view expansion and a plan (which cost more
// than running the query: one post by id spent most of the database's time
// there).
//
// A statement must be parsed as the request's role — the authenticator may
// by design not even see the schema — so it is prepared inside a
// transaction that has run the request's settings statement, and each
// role prepares its own copy: the name digests the role with the SQL.
// PostgreSQL checks privileges on every execution and replans a statement
// whose row security depends on the role, so reusing one is as safe as
// parsing it again. Preparing costs round trips — the role switch, one per
// new statement, the rollback — once per connection, role and distinct
// statement; a connection keeps the most recently used
// maxPreparedPerConn statements and deallocates the rest, so clients
// sending ever new documents cannot grow a backend's memory without bound.

// maxPreparedPerConn bounds the statements prepared on one connection.
const maxPreparedPerConn = 256

// preparedKey is where a connection's preparedSet lives in its CustomData.
const preparedKey = "gqlplan.prepared"

// preparedSet is the field statements prepared on one connection, most
// recently used first. It is keyed by role and SQL, so a request finds its
// statements without hashing them; the names are made once, on preparing.
type preparedSet struct {
	recent *list.List // of *preparedStatement
	byKey  map[statementKey]*list.Element
	// settings are the names of the plain settings statements prepared
	// on the connection, by their number of settings.
	settings map[int]string
	// fixedFor is the settings statement's name once the executor's
	// fixed statements are prepared on the connection (a new handler on
	// the same pool may bring a different settings statement).
	fixedFor string
}

type statementKey struct{ role, sql string }

type preparedStatement struct {
	key  statementKey
	name string
}

// preparedOn returns the set of conn, made on first use.
func preparedOn(conn *pgxpool.Conn) *preparedSet {
	data := conn.Conn().PgConn().CustomData()
	if s, ok := data[preparedKey].(*preparedSet); ok {
		return s
	}
	s := &preparedSet{recent: list.New(), byKey: map[statementKey]*list.Element{}, settings: map[int]string{}}
	data[preparedKey] = s
	return s
}

// use returns the name k is prepared under ("" when it is not), and
// marks it recently used.
func (s *preparedSet) use(k statementKey) string {
	e, ok := s.byKey[k]
	if !ok {
		return ""
	}
	s.recent.MoveToFront(e)
	return e.Value.(*preparedStatement).name
}

func (s *preparedSet) add(k statementKey, name string) {
	s.byKey[k] = s.recent.PushFront(&preparedStatement{key: k, name: name})
}

// overflow removes and returns the names of the least recently used
// statements beyond the bound.
func (s *preparedSet) overflow() []string {
	var out []string
	for s.recent.Len() > maxPreparedPerConn {
		p := s.recent.Remove(s.recent.Back()).(*preparedStatement)
		delete(s.byKey, p.key)
		out = append(out, p.name)
	}
	return out
}

// statementName names the prepared statement of k: a digest of the role
// and the SQL, so that no two differ in one name.
func statementName(k statementKey) string {
	h := sha256.New()
	h.Write([]byte(k.role))
	h.Write([]byte{0})
	h.Write([]byte(k.sql))
	return "gqlplan_" + hex.EncodeToString(h.Sum(nil)[:12])
}

// prepareFixed prepares the executor's fixed statements on conn, whose
// set is set, the first time the connection serves it.
func (x *Executor) prepareFixed(ctx context.Context, conn *pgxpool.Conn, set *preparedSet) error {
	if set.fixedFor == x.settingsID || x.unnamed {
		return nil
	}
	for _, s := range x.fixed {
		if _, err := conn.Conn().Prepare(ctx, s.name, s.sql); err != nil {
			return err
		}
	}
	set.fixedFor = x.settingsID
	return nil
}

// prepareFields sets each pending field's prepared name, preparing on conn
// (whose set is set) those it has not prepared yet. What fails to prepare
// stays unprepared: the request's own pipeline then sends its SQL and
// reports the error where it belongs.
func (x *Executor) prepareFields(ctx context.Context, conn *pgxpool.Conn, set *preparedSet, sess Session, pending []*job) {
	if x.unnamed {
		return
	}
	var missing []namedStatement
	for _, f := range pending {
		for _, s := range f.statements() {
			if *s.name = set.use(statementKey{sess.role, s.sql}); *s.name == "" {
				missing = append(missing, s)
			}
		}
	}
	if len(missing) == 0 {
		return
	}
	batch := newPipeline()
	batch.add(x.text(beginReadOnly))
	err := x.queueSettings(ctx, conn, set, batch, settingsPairs(sess, true))
	if err == nil {
		err = conn.SendBatch(ctx, &batch.Batch).Close()
	}
	if err == nil {
		for _, s := range missing {
			k := statementKey{sess.role, s.sql}
			if *s.name = set.use(k); *s.name != "" {
				continue // two fields of this request with one statement
			}
			name := statementName(k)
			if _, err := conn.Conn().Prepare(ctx, name, s.sql); err != nil {
				break
			}
			set.add(k, name)
			*s.name = name
		}
	}
	x.rollback(ctx, conn)
	for _, name := range set.overflow() {
		if err := conn.Conn().Deallocate(ctx, name); err != nil {
			conn.Conn().Close(context.WithoutCancel(ctx))
			return
		}
	}
}
