package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// stmtCache keeps the statements of the hottest reads prepared on the reader
// pool. SQLite compiles a statement on every call otherwise: for the key
// verification that every gateway request runs (five joins, twice) that
// compilation costs several times the lookup itself. database/sql prepares a
// cached statement once per connection, on first use there, and resets it
// after each query, so a prepared read sees every commit as a fresh one does.
type stmtCache struct {
	pool *sql.DB
	mu   sync.Mutex
	m    map[string]*sql.Stmt
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}}
}

// get returns the prepared statement of query, preparing it on first use.
// Only constant queries may be cached: the map grows by each distinct text.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st, nil
	}
	st, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.m[query] = st
	return st, nil
}

func (c *stmtCache) close() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for q, st := range c.m {
		errs = append(errs, st.Close())
		delete(c.m, q)
	}
	return errors.Join(errs...)
}

// queryRowPrepared runs a one-row read of a constant query with its statement
// kept prepared; inside a transaction, as queryRow.
func (s db) queryRowPrepared(ctx context.Context, query string, args ...any) *sql.Row {
	if s.stmts == nil {
		return s.queryRow(ctx, query, args...)
	}
	st, err := s.stmts.get(ctx, s.d.rebind(query))
	if err != nil { // the same error comes back from the plain query, translated by its scan
		return s.queryRow(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// lookup returns a statement prepared before, or nil.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[query]
}

// prepareTxStmts prepares the statements every audited write runs in its
// transaction on the writer pool, when the store opens: SQLite compiles
// every statement otherwise, and its one writing connection cannot prepare
// on the pool while a transaction holds it.
func prepareTxStmts(ctx context.Context, c *stmtCache, d *dialect) error {
	for _, q := range auditTxQueries(d) {
		if _, err := c.get(ctx, d.rebind(q)); err != nil {
			return fmt.Errorf("prepare %q: %w", q, err)
		}
	}
	return nil
}

// txStmt returns a statement prepared by prepareTxStmts, bound to the
// transaction, or nil outside a transaction (the caller runs it plainly).
func (s db) txStmt(ctx context.Context, query string) *sql.Stmt {
	if s.tx == nil || s.txStmts == nil {
		return nil
	}
	st := s.txStmts.lookup(s.d.rebind(query))
	if st == nil {
		return nil
	}
	return s.tx.StmtContext(ctx, st)
}
