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
	// seen counts the runs of statements of transactions not prepared yet,
	// and ready lists those that ran twice (see prepareLearned).
	seen  map[string]int
	ready []string
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}, seen: map[string]int{}}
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
// Bounds of the statements a transaction cache learns: a statement is
// prepared once it ran twice (a text built for one call, such as a
// multi-row insert of a restore, is not worth keeping), and at most
// maxTxStmts are kept, so that texts built from data never fill memory.
const (
	maxTxStmts     = 256
	maxSeenTxStmts = 1024
)

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

// txStmt returns a statement prepared on the writer pool, bound to the
// transaction, or nil outside a transaction or when it is not prepared yet
// (the caller runs it plainly; the statement is noted, to be prepared after
// the transaction: see prepareLearned).
func (s db) txStmt(ctx context.Context, query string) *sql.Stmt {
	if s.tx == nil || s.txStmts == nil {
		return nil
	}
	st := s.txStmts.lookupOrNote(s.d.rebind(query))
	if st == nil {
		return nil
	}
	return s.tx.StmtContext(ctx, st)
}

// lookupOrNote returns a statement prepared before, or counts a run of it.
func (c *stmtCache) lookupOrNote(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st
	}
	if len(c.m) < maxTxStmts {
		if len(c.seen) >= maxSeenTxStmts {
			clear(c.seen)
			c.ready = nil
		}
		c.seen[query]++
		if c.seen[query] == 2 {
			c.ready = append(c.ready, query)
		}
	}
	return nil
}

// prepareLearned prepares on the pool the statements of transactions that
// ran twice unprepared. It runs after a transaction ended: the writing
// connection is free then. A statement that fails to prepare is left to
// run plainly.
func (c *stmtCache) prepareLearned(ctx context.Context) {
	c.mu.Lock()
	ready := c.ready
	c.ready = nil
	for _, q := range ready {
		delete(c.seen, q)
	}
	c.mu.Unlock()
	for _, q := range ready {
		st, err := c.pool.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, dup := c.m[q]; dup || len(c.m) >= maxTxStmts {
			_ = st.Close()
		} else {
			c.m[q] = st
		}
		c.mu.Unlock()
	}
}

// hasLearned reports statements ready to prepare.
func (c *stmtCache) hasLearned() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.ready) > 0
}
