package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/sqlstore"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
)

// pgStoreNamed opens a PostgreSQL store whose connections carry an
// application name, to find them in pg_stat_activity; admin is a plain
// connection to the same database.
func pgStoreNamed(t *testing.T, app string) (*sqlstore.Store, *sql.DB) {
	t.Helper()
	u, err := url.Parse(sqltest.NewPostgresURL(t))
	require.NoError(t, err)
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	s := sqltest.OpenPostgresAt(t, u.String())
	admin, err := sql.Open("pgx", u.String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Close() })
	return s, admin
}

// openTransactions counts the store's connections inside a transaction.
func openTransactions(t *testing.T, admin *sql.DB, app string) int {
	t.Helper()
	var n int
	require.NoError(t, admin.QueryRowContext(context.Background(),
		`SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()
		 AND state IN ('idle in transaction', 'idle in transaction (aborted)', 'active')`, app).Scan(&n))
	return n
}

func newUser(email string) models.User {
	now := time.Now().UTC().Truncate(time.Microsecond)
	return models.User{ID: "u-" + email, Email: email, CreatedAt: now, UpdatedAt: now}
}

// A write transaction that fails, panics or loses its context ends on the
// server too: nothing it wrote stays, no connection is left inside it, and
// the next transactions run.
func TestPostgresWriteTransactionsEndWhateverHappens(t *testing.T) {
	t.Parallel()
	const app = "smg-pgtx-end"
	s, admin := pgStoreNamed(t, app)
	ctx := context.Background()
	failed := errors.New("the rule refused it")

	err := s.InTx(ctx, func(tx repositories.Repos) error {
		require.NoError(t, tx.Users().Create(ctx, newUser("a@example.com")))
		return failed
	})
	require.ErrorIs(t, err, failed)

	assert.Panics(t, func() {
		_ = s.InTx(ctx, func(tx repositories.Repos) error {
			require.NoError(t, tx.Users().Create(ctx, newUser("b@example.com")))
			panic("bug")
		})
	})

	cctx, cancel := context.WithCancel(ctx)
	err = s.InTx(cctx, func(tx repositories.Repos) error {
		require.NoError(t, tx.Users().Create(cctx, newUser("c@example.com")))
		cancel()
		return tx.Users().Create(cctx, newUser("d@example.com"))
	})
	require.Error(t, err)

	// A statement that failed aborted the transaction: should the caller
	// ignore its error, the commit still fails rather than report a success
	// of which PostgreSQL kept nothing.
	require.NoError(t, s.Users().Create(ctx, newUser("taken@example.com")))
	err = s.InTx(ctx, func(tx repositories.Repos) error {
		require.NoError(t, tx.Users().Create(ctx, newUser("f@example.com")))
		dup := newUser("taken@example.com")
		dup.ID = "u-other"
		require.ErrorIs(t, tx.Users().Create(ctx, dup), repositories.ErrConflict)
		return nil
	})
	require.Error(t, err, "an aborted transaction reported as committed")
	require.NoError(t, s.Users().Delete(ctx, "u-taken@example.com"))

	assert.Zero(t, openTransactions(t, admin, app), "a connection is left inside a transaction")
	n, err := s.Users().Count(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "a write of a transaction that did not commit stayed")
	head, err := s.Audit().Head(ctx)
	require.NoError(t, err)
	assert.Zero(t, head.Seq)

	require.NoError(t, s.Users().Create(ctx, newUser("e@example.com")))
	n, err = s.Users().Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

// The audit record is sent with COMMIT; should the chain's head not be the
// one the record was sealed on (a writer that did not wait for its turn),
// the record's insert fails and the change it records is not committed.
func TestPostgresRecordOffTheHeadAbortsItsChange(t *testing.T) {
	t.Parallel()
	s := sqltest.NewPostgres(t)
	ctx := context.Background()
	err := s.InTx(ctx, func(tx repositories.Repos) error {
		require.NoError(t, tx.Users().Create(ctx, newUser("a@example.com")))
		skewed := audit.Head{Seq: 7, Hash: audit.GenesisHash}
		require.NoError(t, sqlstore.SkewHead(ctx, tx, skewed))
		recs := []audit.Record{{Time: time.Now().UTC(), Actor: audit.Actor{Kind: audit.ActorSystem},
			Action: "user.create", Outcome: audit.OutcomeSuccess}}
		_, err := audit.Seal(skewed, recs)
		require.NoError(t, err)
		return tx.Audit().Append(ctx, recs) // held for the commit: accepted here
	})
	require.Error(t, err)
	n, err := s.Users().Count(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "the change was committed without its record")
	head, err := s.Audit().Head(ctx)
	require.NoError(t, err)
	assert.Zero(t, head.Seq)
	first, last, err := s.Audit().Bounds(ctx)
	require.NoError(t, err)
	assert.Zero(t, first+last)
}
