package pgexec

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// A mutation can report the tables its transaction wrote: read-your-writes
// on replicas then makes a client's later reads wait only when they read
// one of them. PostgreSQL keeps no list of the rows a transaction
// changed, but it holds a lock on every table the transaction wrote until
// it ends — row exclusive for INSERT, UPDATE, DELETE and MERGE, stronger
// for TRUNCATE, REFRESH or DDL, whether the statement, a function or a
// trigger wrote it — and pg_locks, which every role may read, lists a
// backend's own. So the statement below, queued just before the commit,
// names every table written; a lock taken without a write (LOCK TABLE,
// an upsert that inserted nothing) only names one more. Deferred
// triggers would run after it, at the commit, and may write too: SET
// CONSTRAINTS ALL IMMEDIATE runs them first (what fails there would have
// failed the commit).

// Writes receives the tables a mutation's transaction wrote: Known only
// when the statement listing them ran in it.
type Writes struct {
	Tables []uint32 // OIDs of the relations written (tables, and their indexes and sequences)
	Known  bool
}

type writesKey struct{}

// WithWrites asks Run, for a mutation of SQL fields, to fill w.
func WithWrites(ctx context.Context, w *Writes) context.Context {
	return context.WithValue(ctx, writesKey{}, w)
}

func writesOf(ctx context.Context) *Writes {
	w, _ := ctx.Value(writesKey{}).(*Writes)
	return w
}

// immediate runs the deferred triggers before the write set is read.
var immediate = fixedStatement{"gqlplan_constraints_immediate", "SET CONSTRAINTS ALL IMMEDIATE"}

// writtenTables lists the user relations the transaction holds a lock on
// that a read does not take (AccessShare) and SELECT … FOR UPDATE/SHARE
// does not either (RowShare): those it wrote, with their indexes and
// sequences, which no read set holds (package readset keeps only tables).
// 16384 is FirstNormalObjectId: the system catalogs DDL writes are
// nobody's read. A backend holds locks in its own database only.
var writtenTables = fixedStatement{"gqlplan_written_tables", `SELECT coalesce(array_agg(l.relation::int8), '{}') FROM pg_catalog.pg_locks l
	WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND l.relation >= 16384
		AND l.mode NOT IN ('AccessShareLock', 'RowShareLock')`}

// readWrites reads the results of immediate and writtenTables into w.
func readWrites(results pgx.BatchResults, w *Writes) error {
	if _, err := results.Exec(); err != nil {
		return err
	}
	var oids []int64
	if err := results.QueryRow().Scan(&oids); err != nil {
		return err
	}
	w.Tables = w.Tables[:0]
	for _, oid := range oids {
		w.Tables = append(w.Tables, uint32(oid))
	}
	w.Known = true
	return nil
}
