// Package sqlstore implements the repositories over database/sql. One set of
// portable SQL serves both backends; a dialect supplies what differs (placeholders,
// driver error codes, migrations, retryable errors).
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/securemcp/gateway/repositories"
)

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// dialect is what differs between engines.
type dialect struct {
	name string
	// rebind turns the portable '?' placeholders into the engine's own.
	rebind func(query string) string
	// translate maps driver errors to repository sentinels.
	translate func(err error) error
	// retryable reports errors after which a whole transaction may be retried.
	retryable func(err error) bool
	// txOptions are those of InTx transactions (nil: the engine's default).
	txOptions *sql.TxOptions
	// snapshotOptions are those of ReadSnapshot transactions.
	snapshotOptions *sql.TxOptions
	// forUpdate ends a SELECT that must lock the rows it reads until the
	// transaction ends (empty where writers are serialized anyway).
	forUpdate string
	// beginWrite, when set, is the first statement of every write
	// transaction: it queues the writers of every instance on the audit
	// chain's head before their snapshot is taken (see postgresDialect).
	// Such a dialect's write transactions are pgTx's.
	beginWrite string
}

// Store is a repositories.Store over database/sql.
type Store struct {
	db
	txStmts *stmtCache
	writer  *sql.DB
	reader  *sql.DB
	onClose func()
}

// db binds the repositories to a reader and a writer: the store's pools, or one
// transaction for both.
type db struct {
	r, w querier
	d    *dialect
	// stmts keeps hot reads prepared on the reader pool; nil in a transaction.
	stmts *stmtCache
	// tx is the SQLite transaction the repositories are bound to (nil
	// outside one), and txStmts the statements of write transactions kept
	// prepared on the writer pool: the audit trail's, and those learned
	// (stmtCache.prepareLearned).
	tx      *sql.Tx
	txStmts *stmtCache
	// pg is the PostgreSQL write transaction the repositories are bound
	// to (nil outside one, and on SQLite).
	pg *pgTx
}

var _ repositories.Store = (*Store)(nil)

func (s db) Configs() repositories.ConfigRepository         { return configRepo{s} }
func (s db) Servers() repositories.ServerRepository         { return serverRepo{s} }
func (s db) Projects() repositories.ProjectRepository       { return projectRepo{s} }
func (s db) Users() repositories.UserRepository             { return userRepo{s} }
func (s db) Memberships() repositories.MembershipRepository { return membershipRepo{s} }
func (s db) APIKeys() repositories.APIKeyRepository         { return apiKeyRepo{s} }
func (s db) Settings() repositories.SettingsRepository      { return settingsRepo{s} }
func (s db) Integrity() repositories.IntegrityRepository    { return integrityRepo{s} }
func (s db) AdminKeys() repositories.AdminKeyRepository     { return adminKeyRepo{s} }
func (s db) Audit() repositories.AuditRepository            { return auditRepo{s} }

// Backend names the engine.
func (s *Store) Backend() string { return s.d.name }

// Ping runs one query on a table of the gateway through the pool that
// serves reads: a round trip that proves the database answers and holds the
// schema (SQLite reads the file's first page of it; a bare "SELECT 1" on a
// pooled connection would not), and that never waits behind a writer (the
// embedded store's single write connection may be busy with a long restore).
func (s *Store) Ping(ctx context.Context) error {
	rows, err := s.reader.QueryContext(ctx, `SELECT 1 FROM settings LIMIT 1`)
	if err != nil {
		return s.d.translate(err)
	}
	return s.d.translate(rows.Close())
}

// Close closes both pools.
func (s *Store) Close() error {
	if s.onClose != nil {
		s.onClose()
	}
	err := errors.Join(s.stmts.close(), s.txStmts.close())
	err = errors.Join(err, s.writer.Close())
	if s.reader != s.writer {
		err = errors.Join(err, s.reader.Close())
	}
	return err
}

// maxTxAttempts bounds retries of transactions that failed on a serialization
// conflict or a busy database. Many writers on one hot row (servers added to
// one configuration all touch it) fail all but one per round, so the bound is
// generous; with the capped pauses below it amounts to about a second.
const maxTxAttempts = 25

// Retry pauses grow exponentially from retryPauseBase up to retryPauseMax, and
// each is drawn at random below that bound ("full jitter") so that the
// transactions that collided spread out instead of colliding again in step.
const (
	retryPauseBase = time.Millisecond
	retryPauseMax  = 64 * time.Millisecond
)

// InTx runs fn in one transaction and commits it, retrying the whole function
// when the engine reports a retryable conflict.
func (s *Store) InTx(ctx context.Context, fn func(tx repositories.Repos) error) error {
	bound := retryPauseBase
	for attempt := 1; ; attempt++ {
		err := s.runTx(ctx, fn)
		if err == nil || !s.d.retryable(err) || attempt == maxTxAttempts {
			return err
		}
		pause := time.NewTimer(rand.N(bound) + 1)
		select {
		case <-ctx.Done():
			pause.Stop()
			return err
		case <-pause.C:
		}
		bound = min(2*bound, retryPauseMax)
	}
}

func (s *Store) runTx(ctx context.Context, fn func(tx repositories.Repos) error) (err error) {
	if s.d.beginWrite != "" {
		return s.runPgTx(ctx, fn)
	}
	tx, err := s.writer.BeginTx(ctx, s.d.txOptions)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", s.d.translate(err))
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
		// The transaction has ended: the writing connection is free to
		// prepare the statements it learned.
		if s.txStmts.hasLearned() {
			s.txStmts.prepareLearned(ctx)
		}
	}()
	if err = fn(db{r: tx, w: tx, d: s.d, tx: tx, txStmts: s.txStmts}); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", s.d.translate(err))
	}
	return nil
}

// runPgTx is runTx on PostgreSQL (see pgTx).
func (s *Store) runPgTx(ctx context.Context, fn func(tx repositories.Repos) error) (err error) {
	tx, err := beginPgTx(ctx, s.writer, s.d)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			tx.rollback()
		}
	}()
	if err = fn(db{r: tx, w: tx, d: s.d, pg: tx}); err != nil {
		return err
	}
	committed = true // commit ends the transaction either way
	if err = tx.commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", s.d.translate(err))
	}
	return nil
}

// ReadSnapshot runs fn in a read-only transaction on the reader pool.
func (s *Store) ReadSnapshot(ctx context.Context, fn func(r repositories.Repos) error) error {
	tx, err := s.reader.BeginTx(ctx, s.d.snapshotOptions)
	if err != nil {
		return fmt.Errorf("begin snapshot: %w", s.d.translate(err))
	}
	defer func() { _ = tx.Rollback() }() // nothing to commit: the transaction only reads
	return fn(db{r: tx, w: tx, d: s.d})
}

// query runs a read on the reader (in a transaction, prepared once learned).
func (s db) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := s.txStmt(ctx, query); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		return rows, s.d.translate(err)
	}
	rows, err := s.r.QueryContext(ctx, s.d.rebind(query), args...)
	return rows, s.d.translate(err)
}

// queryRow runs a one-row read on the reader; scan errors are translated by scanRow.
func (s db) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := s.txStmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.r.QueryRowContext(ctx, s.d.rebind(query), args...)
}

// exec runs a write on the writer and returns the number of affected rows.
func (s db) exec(ctx context.Context, query string, args ...any) (int64, error) {
	var res sql.Result
	var err error
	if st := s.txStmt(ctx, query); st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = s.w.ExecContext(ctx, s.d.rebind(query), args...)
	}
	if err != nil {
		return 0, s.d.translate(err)
	}
	return res.RowsAffected()
}

// execOne runs a write that must affect exactly one row, else ErrNotFound.
func (s db) execOne(ctx context.Context, query string, args ...any) error {
	n, err := s.exec(ctx, query, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return repositories.ErrNotFound
	}
	return nil
}

// scanErr translates the error of a single-row scan.
func (s db) scanErr(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return repositories.ErrNotFound
	}
	return s.d.translate(err)
}

// count runs a SELECT COUNT(*) style query.
func (s db) count(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	if err := s.queryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, s.scanErr(err)
	}
	return n, nil
}

// pageClause renders LIMIT/OFFSET for a page; both values are integers, never user text.
func pageClause(p repositories.Page) string {
	if p.Limit <= 0 && p.Offset <= 0 {
		return ""
	}
	limit := int64(p.Limit)
	if limit <= 0 {
		limit = math.MaxInt64 // portable "no limit" with an offset
	}
	return fmt.Sprintf(" LIMIT %d OFFSET %d", limit, p.Offset)
}
