package pgexec

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gqlplan/gqlplan/runtime/internal/sqlgen"
	"github.com/gqlplan/gqlplan/runtime/internal/wire"
)

// Tx is the explicit transaction of a request some of whose fields run Go
// between statements (resolvers): unlike Run's pipelines, the statements
// are sent one at a time, as the Go code needs them, on the connection
// the resolvers use too.
type Tx struct {
	x    *Executor
	conn *pgxpool.Conn
	out  *resultBuffer
	// pending: a savepoint of LazySavepoint is not sent yet.
	pending bool
}

// Transaction runs fn in a transaction on one pooled connection: BEGIN
// (READ ONLY for a query) and the settings, then fn, then COMMIT, or
// ROLLBACK when fn returns an error, which reached no field. Results are
// read into arena. A lost connection is not retried: the resolvers may
// have had effects outside the database.
func (x *Executor) Transaction(ctx context.Context, mutation bool, sess Session, arena *[]byte, fn func(*Tx) *wire.Error) *wire.Error {
	conn, fatal := x.acquire(ctx, false)
	if fatal != nil {
		return fatal
	}
	defer conn.Release()
	set := preparedOn(conn)
	if err := x.prepareFixed(ctx, conn, set); err != nil {
		return x.fault(ctx, err)
	}
	begin := beginReadOnly
	if mutation {
		begin = beginWrite
	}
	batch := newPipeline()
	batch.add(x.text(begin))
	if err := x.queueSettings(ctx, conn, set, batch, settingsPairs(sess, !mutation)); err != nil {
		return x.fault(ctx, err)
	}
	results := conn.SendBatch(ctx, &batch.Batch)
	_, err := results.Exec()
	if err == nil {
		if _, err = results.Exec(); err != nil {
			_ = results.Close()
			x.rollback(ctx, conn)
			return x.sessionFault(ctx, err)
		}
	}
	if closeErr := results.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		x.rollback(ctx, conn)
		return x.fault(ctx, err)
	}
	if fatal := fn(&Tx{x: x, conn: conn, out: &resultBuffer{arena: arena, limit: x.maxResponseBytes}}); fatal != nil {
		x.rollback(ctx, conn)
		return fatal
	}
	if _, err := conn.Exec(ctx, x.text(commit)); err != nil {
		x.rollback(ctx, conn)
		return mutationFailure(x.fault(ctx, err), true)
	}
	return nil
}

// Conn is the transaction's connection, for the resolvers' own SQL.
func (t *Tx) Conn() *pgx.Conn { return t.conn.Conn() }

// InTransaction reports whether the transaction is still open (a
// resolver may not have ended it) and not failed.
func (t *Tx) InTransaction() bool { return t.conn.Conn().PgConn().TxStatus() == 'T' }

// Statement runs one composed statement and returns its JSON; the error
// is the field's, unless RequestLevel says it fails the request.
func (t *Tx) Statement(ctx context.Context, stmt sqlgen.Statement) (json.RawMessage, *wire.Error) {
	if err := t.Open(ctx); err != nil {
		return nil, t.x.fault(ctx, err)
	}
	var out json.RawMessage
	if stmt.Call != nil {
		if _, err := t.conn.Exec(ctx, stmt.Call.SQL, stmt.Call.Args...); err != nil {
			return nil, t.x.fault(ctx, err)
		}
	}
	if err := t.conn.QueryRow(ctx, stmt.SQL, stmt.Args...).Scan(resultScanner{t.out, &out}); err != nil {
		return nil, t.x.fault(ctx, err)
	}
	return out, nil
}

// Savepoint runs fn inside a savepoint: released when fn reports no
// failure, rolled back to when it does, so the rest of the transaction
// keeps what came before. The error fails the request: fn's, or one of
// the savepoint itself (a resolver released it, or ended the
// transaction).
func (t *Tx) Savepoint(ctx context.Context, fn func() (failed bool, fatal *wire.Error)) *wire.Error {
	if err := t.Open(ctx); err != nil {
		return t.x.fault(ctx, err)
	}
	if _, err := t.conn.Exec(ctx, "SAVEPOINT gqlplan_field"); err != nil {
		return t.x.fault(ctx, err)
	}
	failed, fatal := fn()
	if fatal != nil {
		return fatal
	}
	return t.endSavepoint(ctx, failed)
}

// LazySavepoint is Savepoint whose SAVEPOINT is sent only before the
// first statement inside it (Statement, or one of a resolver, which calls
// Open): a resolver that runs no SQL costs no round trip, and has nothing
// to roll back.
func (t *Tx) LazySavepoint(ctx context.Context, fn func() (failed bool, fatal *wire.Error)) *wire.Error {
	if err := t.Open(ctx); err != nil {
		return t.x.fault(ctx, err)
	}
	t.pending = true
	failed, fatal := fn()
	opened := !t.pending
	t.pending = false
	if fatal != nil || !opened {
		return fatal
	}
	return t.endSavepoint(ctx, failed)
}

// Open sends the savepoint LazySavepoint left pending, if any: before
// any statement inside it.
func (t *Tx) Open(ctx context.Context) error {
	if !t.pending {
		return nil
	}
	t.pending = false
	_, err := t.conn.Exec(ctx, "SAVEPOINT gqlplan_field")
	return err
}

// endSavepoint releases the savepoint, or rolls back to it when its work
// failed.
func (t *Tx) endSavepoint(ctx context.Context, failed bool) *wire.Error {
	end := "RELEASE SAVEPOINT gqlplan_field"
	if failed || t.conn.Conn().PgConn().TxStatus() == 'E' {
		end = "ROLLBACK TO SAVEPOINT gqlplan_field"
	}
	if _, err := t.conn.Exec(ctx, end); err != nil {
		e := t.x.fault(ctx, err)
		if !requestLevel(e) {
			e = &wire.Error{Message: "A resolver ended the savepoint or the transaction it runs in; the request was rolled back.", Code: wire.CodeInternal}
		}
		return e
	}
	return nil
}

// RequestLevel reports whether e fails the whole request rather than its
// field (see requestLevel).
func RequestLevel(e *wire.Error) bool { return requestLevel(e) }
