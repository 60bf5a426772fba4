package timed_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/sqlstore"
	"github.com/securemcp/gateway/repositories/storetest"
	"github.com/securemcp/gateway/repositories/timed"
)

// recorder keeps every observation.
type recorder struct {
	mu  sync.Mutex
	ops []string
}

func (r *recorder) ObserveStore(op, outcome string, elapsed time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, op+":"+outcome)
}

func (r *recorder) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ops...)
}

func newTimedSQLite(t *testing.T, obs timed.Observer) repositories.Store {
	t.Helper()
	s, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return timed.Wrap(s, obs)
}

// The decorator is generated pass-through code that knows no backend: the
// conformance suite runs through it on SQLite (as through the cache's), and
// on PostgreSQL directly (sqlstore) and through the audit decorator, which
// production runs on it.
func TestTimedConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) repositories.Store { return newTimedSQLite(t, &recorder{}) })
}

func TestEveryCallIsObserved(t *testing.T) {
	rec := &recorder{}
	s := newTimedSQLite(t, rec)
	ctx := context.Background()
	now := time.Now().UTC()
	cfg := models.Config{ID: "7b0c3c1e-4a6f-4f57-9a53-5d0f3f1f0001", Name: "c", CreatedAt: now, UpdatedAt: now}
	require.NoError(t, s.InTx(ctx, func(tx repositories.Repos) error { return tx.Configs().Create(ctx, cfg) }))
	_, err := s.Configs().Resolve(ctx, "c")
	require.NoError(t, err)
	_, err = s.Users().Get(ctx, "nobody")
	require.ErrorIs(t, err, repositories.ErrNotFound)
	require.ErrorIs(t, s.Configs().Create(ctx, cfg), repositories.ErrConflict)
	require.NoError(t, s.Ping(ctx))
	assert.Equal(t, []string{"configs.create:ok", "tx:ok", "configs.resolve:ok", "users.get:not_found", "configs.create:conflict", "ping:ok"}, rec.all())
	assert.Equal(t, "sqlite", s.Backend())
}
