package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/securemcp/gateway/audit"
)

// pgTx is a PostgreSQL write transaction that costs the round trips of its
// own writes and two more, as a transaction without an audit trail does:
// the opening (BEGIN, the turn on the audit chain's head, the head itself)
// goes in one batch, and the closing (the audit record, the head moved, and
// COMMIT) in another. Through database/sql each of those is a round trip of
// its own, and on a local server a round trip is most of a small write.
//
// The transaction runs on one connection taken from the pool; database/sql
// does not know that it is open, so pgTx always ends it (commit or
// rollback) and discards the connection when it cannot, and the pool
// refuses to hand out a connection left inside a transaction
// (pgResetSession).
type pgTx struct {
	conn *sql.Conn
	// head is the chain's head: read under the turn, which no other writer
	// has until this transaction ends, and moved by this one's appends.
	head audit.Head
	// held are statements sent with the next statement or with COMMIT,
	// whichever comes first.
	held []heldStatement
}

type heldStatement struct {
	query string // rebound
	args  []any
}

var _ querier = (*pgTx)(nil)

// pgHeadQuery reads the chain's head; the turn taken before it is the lock.
const pgHeadQuery = `SELECT seq, hash FROM audit_head WHERE id = 1`

// beginPgTx opens a SERIALIZABLE transaction, waits for the turn on the
// chain's head (postgresDialect.beginWrite) and reads the head, in one round
// trip. The snapshot is taken by the head's read, after the turn is given.
func beginPgTx(ctx context.Context, pool *sql.DB, d *dialect) (*pgTx, error) {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", d.translate(err))
	}
	t := &pgTx{conn: conn}
	b := &pgx.Batch{}
	b.Queue(`BEGIN ISOLATION LEVEL SERIALIZABLE`)
	b.Queue(d.beginWrite)
	b.Queue(pgHeadQuery).QueryRow(func(row pgx.Row) error { return row.Scan(&t.head.Seq, &t.head.Hash) })
	if err := t.send(ctx, b); err != nil {
		t.rollback()
		return nil, fmt.Errorf("begin transaction: %w", d.translate(err))
	}
	return t, nil
}

// send runs a batch on the transaction's connection, in one round trip.
func (t *pgTx) send(ctx context.Context, b *pgx.Batch) error {
	return t.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		return c.Conn().SendBatch(ctx, b).Close()
	})
}

// hold keeps a statement to send with the next one; its errors are the
// next statement's (or COMMIT's): the transaction is then aborted.
func (t *pgTx) hold(query string, args ...any) {
	t.held = append(t.held, heldStatement{query: rebindDollar(query), args: args})
}

// flush sends the statements held, before a statement that may depend on
// them.
func (t *pgTx) flush(ctx context.Context) error {
	if len(t.held) == 0 {
		return nil
	}
	b := t.batch()
	return t.send(ctx, b)
}

// batch takes the statements held into a batch.
func (t *pgTx) batch() *pgx.Batch {
	b := &pgx.Batch{}
	for _, h := range t.held {
		b.Queue(h.query, h.args...)
	}
	t.held = nil
	return b
}

func (t *pgTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	return t.conn.ExecContext(ctx, query, args...)
}

func (t *pgTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	return t.conn.QueryContext(ctx, query, args...)
}

// QueryRowContext reads after the statements held; should they fail, the
// read fails too (the transaction is aborted) and so does the commit.
func (t *pgTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	_ = t.flush(ctx)
	return t.conn.QueryRowContext(ctx, query, args...)
}

// commit sends the statements held and COMMIT in one round trip, and
// returns the connection to the pool. A statement that fails leaves the
// transaction aborted, COMMIT is not run, and the transaction is rolled
// back.
func (t *pgTx) commit(ctx context.Context) error {
	b := t.batch()
	b.Queue(`COMMIT`)
	if err := t.send(ctx, b); err != nil {
		t.rollback()
		return err
	}
	return t.conn.Close()
}

// pgRollbackTimeout bounds the rollback of a transaction whose context
// already ended (a client that went away must not leave it open).
const pgRollbackTimeout = 5 * time.Second

// rollback ends the transaction and returns the connection; a connection
// that could not roll back is discarded rather than returned inside a
// transaction.
func (t *pgTx) rollback() {
	ctx, cancel := context.WithTimeout(context.Background(), pgRollbackTimeout)
	defer cancel()
	t.held = nil
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
// exactly, so the record either attaches to it or is refused at once,
// without a round trip.
func (t *pgTx) appendOne(rec audit.Record) error {
	if rec.Seq-1 != t.head.Seq || rec.PrevHash != t.head.Hash {
		return headMoved()
	}
	t.hold(auditAppendOnePostgres, append([]any{rec.Seq, rec.Hash, t.head.Seq, t.head.Hash}, auditValues(rec)[1:]...)...)
	t.head = audit.Head{Seq: rec.Seq, Hash: rec.Hash}
	return nil
}
