package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/securemcp/gateway/audit"
)

// pgTx is a PostgreSQL write transaction that costs the round trips of its
// own statements and one more, where database/sql would add three (BEGIN,
// the turn on the audit chain's head, COMMIT) and the audit record one: the
// opening (BEGIN, the turn, the head itself) is held and goes with the
// transaction's first statement, and the closing (the audit record, the
// head moved, and COMMIT) goes in one batch. On a local server a round trip
// is most of a small write.
//
// The transaction runs on one connection taken from the pool; database/sql
// does not know that it is open, so pgTx always ends it (commit or
// rollback) and discards the connection when it cannot, and the pool
// refuses to hand out a connection left inside a transaction
// (pgResetSession).
type pgTx struct {
	conn *sql.Conn
	// opened says that the opening was sent; until then it is held.
	opened bool
	// head is the chain's head: read under the turn, which no other writer
	// has until this transaction ends, and moved by this one's appends.
	head audit.Head
	// held are statements sent with the next statement or with COMMIT,
	// whichever comes first.
	held *pgx.Batch
	// failed is the first error of a send: the transaction cannot commit,
	// even should its caller have ignored that error.
	failed error
}

var _ querier = (*pgTx)(nil)

// pgHeadQuery reads the chain's head; the turn taken before it is the lock.
const pgHeadQuery = `SELECT seq, hash FROM audit_head WHERE id = 1`

// beginPgTx takes a connection for a SERIALIZABLE transaction whose opening
// is held: it waits for the turn on the chain's head (postgresDialect.
// beginWrite) and reads the head, whose read takes the snapshot after the
// turn is given.
func beginPgTx(ctx context.Context, pool *sql.DB, d *dialect) (*pgTx, error) {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", d.translate(err))
	}
	t := &pgTx{conn: conn, held: &pgx.Batch{}}
	t.held.Queue(`BEGIN ISOLATION LEVEL SERIALIZABLE`)
	t.held.Queue(d.beginWrite)
	t.held.Queue(pgHeadQuery).QueryRow(func(row pgx.Row) error { return row.Scan(&t.head.Seq, &t.head.Hash) })
	return t, nil
}

// send runs the statements held and b's after them, in one round trip.
func (t *pgTx) send(ctx context.Context, b *pgx.Batch) error {
	if b == nil {
		b = &pgx.Batch{}
	}
	if t.held.Len() > 0 {
		b.QueuedQueries = append(t.held.QueuedQueries, b.QueuedQueries...)
		t.held = &pgx.Batch{}
	}
	if b.Len() == 0 {
		return nil
	}
	if t.failed != nil {
		return t.failed
	}
	t.opened = true
	t.failed = t.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		return c.Conn().SendBatch(ctx, b).Close()
	})
	return t.failed
}

// hold keeps a statement to send with the next one; its errors are the
// next statement's (or COMMIT's): the transaction is then aborted.
func (t *pgTx) hold(query string, args ...any) {
	t.held.Queue(rebindDollar(query), args...)
}

// knownHead is the chain's head, read now if the opening is still held.
func (t *pgTx) knownHead(ctx context.Context) (audit.Head, error) {
	if !t.opened {
		if err := t.send(ctx, nil); err != nil {
			return audit.Head{}, err
		}
	}
	return t.head, nil
}

// ExecContext sends the statements held and this one in one round trip.
func (t *pgTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var affected int64
	b := &pgx.Batch{}
	b.Queue(query, args...).Exec(func(ct pgconn.CommandTag) error {
		affected = ct.RowsAffected()
		return nil
	})
	if err := t.send(ctx, b); err != nil {
		return nil, err
	}
	return pgResult(affected), nil
}

// QueryContext sends the statements held, then reads.
func (t *pgTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := t.send(ctx, nil); err != nil {
		return nil, err
	}
	return t.conn.QueryContext(ctx, query, args...)
}

// QueryRowContext reads after the statements held; should they fail, the
// read fails too (the transaction is aborted) and so does the commit.
func (t *pgTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	_ = t.send(ctx, nil)
	return t.conn.QueryRowContext(ctx, query, args...)
}

// commit sends the statements held and COMMIT in one round trip, and
// returns the connection to the pool. A statement that fails leaves the
// transaction aborted, COMMIT is not run, and the transaction is rolled
// back. A transaction that never sent a statement has nothing to commit.
func (t *pgTx) commit(ctx context.Context) error {
	if !t.opened {
		t.held = &pgx.Batch{}
		return t.conn.Close()
	}
	b := &pgx.Batch{}
	b.Queue(`COMMIT`)
	if err := t.send(ctx, b); err != nil {
		t.rollback()
		return err
	}
	return t.conn.Close()
}

// pgResult is the result of a statement sent in a batch.
type pgResult int64

func (r pgResult) LastInsertId() (int64, error) {
	return 0, errors.New("PostgreSQL statements return no insert id")
}

func (r pgResult) RowsAffected() (int64, error) { return int64(r), nil }

// pgRollbackTimeout bounds the rollback of a transaction whose context
// already ended (a client that went away must not leave it open).
const pgRollbackTimeout = 5 * time.Second

// rollback ends the transaction and returns the connection; a connection
// that could not roll back is discarded rather than returned inside a
// transaction.
func (t *pgTx) rollback() {
	ctx, cancel := context.WithTimeout(context.Background(), pgRollbackTimeout)
	defer cancel()
	t.held = &pgx.Batch{}
	_ = t.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok || c.Conn().PgConn().TxStatus() == 'I' {
			return nil
		}
		if _, err := c.Conn().Exec(ctx, `ROLLBACK`); err != nil {
			return driver.ErrBadConn
		}
		return nil
	})
	_ = t.conn.Close()
}

// pgResetSession refuses a pooled connection that is inside a transaction
// (a pgTx that ended abnormally): database/sql then discards it.
func pgResetSession(_ context.Context, c *pgx.Conn) error {
	if c.PgConn().TxStatus() != 'I' {
		return driver.ErrBadConn
	}
	return nil
}

// appendOne holds one record's append for the commit: the head is known
// exactly, so the record either attaches to it or is refused at once.
func (t *pgTx) appendOne(ctx context.Context, rec audit.Record) error {
	head, err := t.knownHead(ctx)
	if err != nil {
		return err
	}
	if rec.Seq-1 != head.Seq || rec.PrevHash != head.Hash {
		return headMoved()
	}
	t.hold(auditAppendOnePostgres, append([]any{rec.Seq, rec.Hash, head.Seq, head.Hash}, auditValues(rec)[1:]...)...)
	t.head = audit.Head{Seq: rec.Seq, Hash: rec.Hash}
	return nil
}
