package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/repositories"
)

// TestPrincipalStatementIsPreparedOnce: the key verification's query, run on
// every gateway request, is compiled once and reused, not per call.
func TestPrincipalStatementIsPreparedOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "gateway.db"))
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	for range 5 {
		_, err := s.APIKeys().GetPrincipal(ctx, "no-such-hash")
		require.ErrorIs(t, err, repositories.ErrNotFound)
	}
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	assert.Len(t, s.stmts.m, 1)
	assert.Contains(t, s.stmts.m, principalQuery)
}

// A statement that SQLite transactions run is compiled once it ran twice,
// then reused by every transaction; texts built for one call are not kept,
// and the number kept is bounded.
func TestTransactionStatementsArePreparedOnceLearned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "gateway.db"))
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	const count = `SELECT COUNT(*) FROM users`
	countIn := func(query string) int {
		var n int
		require.NoError(t, s.InTx(ctx, func(tx repositories.Repos) error {
			var err error
			n, err = tx.(db).count(ctx, query)
			return err
		}))
		return n
	}
	prepared := func(query string) bool {
		s.txStmts.mu.Lock()
		defer s.txStmts.mu.Unlock()
		_, ok := s.txStmts.m[query]
		return ok
	}
	countIn(count)
	assert.False(t, prepared(count), "prepared after one run")
	countIn(count)
	assert.True(t, prepared(count), "not prepared after two runs")
	assert.Zero(t, countIn(count), "the prepared statement answers")

	once := `SELECT COUNT(*) FROM users WHERE email = 'only-once'`
	countIn(once)
	assert.False(t, prepared(once))

	for i := range maxTxStmts + 50 {
		q := fmt.Sprintf(`SELECT COUNT(*) FROM users WHERE email = 'x%d'`, i)
		countIn(q)
		countIn(q)
	}
	s.txStmts.mu.Lock()
	defer s.txStmts.mu.Unlock()
	assert.Len(t, s.txStmts.m, maxTxStmts)
}

// A transaction that fails still learns its statements, after it rolled
// back: preparing them waits for the one writing connection, which the
// transaction must have given back first.
func TestFailedTransactionLearnsAfterRollback(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "gateway.db"))
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	refused := errors.New("refused")
	for range 2 {
		err := s.InTx(ctx, func(tx repositories.Repos) error {
			_, err := tx.(db).count(ctx, `SELECT COUNT(*) FROM users`)
			require.NoError(t, err)
			return refused
		})
		require.ErrorIs(t, err, refused)
	}
	require.NoError(t, ctx.Err(), "the second transaction waited for itself")
	require.NoError(t, s.InTx(ctx, func(tx repositories.Repos) error {
		_, err := tx.(db).count(ctx, `SELECT COUNT(*) FROM users`)
		return err
	}))
}
