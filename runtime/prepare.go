package runtime

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/jackc/pgx/v5"
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
// parsing it again. Preparing costs two round trips, once per connection,
// role and distinct statement; a connection keeps the most recently used
// maxPreparedPerConn statements and deallocates the rest, so clients
// sending ever new documents cannot grow a backend's memory without bound.

// maxPreparedPerConn bounds the statements prepared on one connection.
const maxPreparedPerConn = 256

// preparedKey is where a connection's preparedSet lives in its CustomData.
const preparedKey = "gqlplan.prepared"

// preparedSet is the field statements prepared on one connection, most
// recently used first.
type preparedSet struct {
	recent *list.List // of statement names
	byName map[string]*list.Element
}

// preparedOn returns the set of conn, made on first use.
func preparedOn(conn *pgxpool.Conn) *preparedSet {
	data := conn.Conn().PgConn().CustomData()
	if s, ok := data[preparedKey].(*preparedSet); ok {
		return s
	}
	s := &preparedSet{recent: list.New(), byName: map[string]*list.Element{}}
	data[preparedKey] = s
	return s
}

// use reports whether name is prepared, and marks it recently used.
func (s *preparedSet) use(name string) bool {
	e, ok := s.byName[name]
	if ok {
		s.recent.MoveToFront(e)
	}
	return ok
}

func (s *preparedSet) add(name string) {
	s.byName[name] = s.recent.PushFront(name)
}

// overflow removes and returns the least recently used names beyond the
// bound.
func (s *preparedSet) overflow() []string {
	var out []string
	for s.recent.Len() > maxPreparedPerConn {
		name := s.recent.Remove(s.recent.Back()).(string)
		delete(s.byName, name)
		out = append(out, name)
	}
	return out
}

// statementName names the prepared statement of sql run as role.
func statementName(role, sql string) string {
	h := sha256.New()
	h.Write([]byte(role))
	h.Write([]byte{0})
	h.Write([]byte(sql))
	return "gqlplan_" + hex.EncodeToString(h.Sum(nil)[:12])
}

// prepareFields sets each pending field's prepared name, preparing on conn
// those it has not prepared yet. What fails to prepare stays unprepared:
// the request's own pipeline then sends its SQL and reports the error
// where it belongs.
func (x *executor) prepareFields(ctx context.Context, conn *pgxpool.Conn, sess session, pending []*rootField) {
	set := preparedOn(conn)
	var missing []*rootField
	for _, f := range pending {
		f.stmt.prepared = ""
		name := statementName(sess.role, f.stmt.sql)
		if set.use(name) {
			f.stmt.prepared = name
		} else {
			missing = append(missing, f)
		}
	}
	if len(missing) == 0 {
		return
	}
	batch := &pgx.Batch{}
	batch.Queue("BEGIN READ ONLY")
	sess.queue(batch, x.settingsID)
	if err := conn.SendBatch(ctx, batch).Close(); err == nil {
		for _, f := range missing {
			name := statementName(sess.role, f.stmt.sql)
			if _, err := conn.Conn().Prepare(ctx, name, f.stmt.sql); err != nil {
				break
			}
			set.add(name)
			f.stmt.prepared = name
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
