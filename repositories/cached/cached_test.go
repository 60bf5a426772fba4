package cached_test

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
	"github.com/securemcp/gateway/repositories/cached"
	"github.com/securemcp/gateway/repositories/sqlstore"
	"github.com/securemcp/gateway/repositories/storetest"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func openSQLite(t *testing.T) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestCachedSQLiteConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) repositories.Store {
		s, err := cached.Wrap(openSQLite(t), cached.DefaultTTL, time.Now)
		require.NoError(t, err)
		return s
	})
}

func TestWrapRefusesLongLifetimes(t *testing.T) {
	t.Parallel()
	for _, ttl := range []time.Duration{0, -time.Millisecond, time.Second, time.Minute} {
		_, err := cached.Wrap(openSQLite(t), ttl, time.Now)
		assert.Error(t, err, ttl)
	}
}

func server(name, command string) models.Server {
	now := time.Now().UTC()
	return models.Server{Name: name, Command: command, CreatedAt: now, UpdatedAt: now}
}

// newCachedWithOneServer wraps a fresh SQLite store (inner) in a cache with a
// 500 ms lifetime on a manual clock, holding configuration "c" with server "a".
func newCachedWithOneServer(t *testing.T) (repositories.Store, *clock, *cached.Store, models.Config) {
	t.Helper()
	inner := openSQLite(t)
	clk := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s, err := cached.Wrap(inner, 500*time.Millisecond, clk.Now)
	require.NoError(t, err)
	now := time.Now().UTC()
	cfg := models.Config{ID: "00000000-0000-4000-8000-000000000001", Name: "c", CreatedAt: now, UpdatedAt: now}
	require.NoError(t, s.Configs().Create(context.Background(), cfg))
	require.NoError(t, s.Servers().Create(context.Background(), cfg.ID, server("a", "npx")))
	return inner, clk, s, cfg
}

// TestOwnWritesAreSeenAtOnceOthersWithinTheLifetime: the wrapped store is one
// instance; writes made straight on the inner store are another instance's.
func TestOwnWritesAreSeenAtOnceOthersWithinTheLifetime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	inner, clk, s, cfg := newCachedWithOneServer(t)
	now := time.Now().UTC()

	list := func() []string {
		t.Helper()
		servers, err := s.Servers().List(ctx, cfg.ID)
		require.NoError(t, err)
		var names []string
		for _, srv := range servers {
			names = append(names, srv.Name+"="+srv.Command)
		}
		return names
	}
	assert.Equal(t, []string{"a=npx"}, list())

	require.NoError(t, s.Servers().Create(ctx, cfg.ID, server("b", "uvx")))
	assert.Equal(t, []string{"a=npx", "b=uvx"}, list(), "a write of this instance is seen at once")
	require.NoError(t, s.InTx(ctx, func(tx repositories.Repos) error {
		return tx.Servers().Update(ctx, cfg.ID, server("b", "docker"))
	}))
	assert.Equal(t, []string{"a=npx", "b=docker"}, list(), "so is a transaction's")
	require.NoError(t, s.Configs().Rename(ctx, cfg.ID, "renamed", now))
	got, err := s.Configs().Resolve(ctx, "renamed")
	require.NoError(t, err)
	assert.Equal(t, "renamed", got.Name)
	_, err = s.Configs().Resolve(ctx, "c")
	assert.ErrorIs(t, err, repositories.ErrNotFound)

	assert.Equal(t, []string{"a=npx", "b=docker"}, list())
	require.NoError(t, inner.Servers().Delete(ctx, cfg.ID, "a"))
	assert.Equal(t, []string{"a=npx", "b=docker"}, list(), "another instance's write may be unseen for the lifetime")
	clk.Advance(499 * time.Millisecond)
	assert.Equal(t, []string{"a=npx", "b=docker"}, list())
	clk.Advance(time.Millisecond)
	assert.Equal(t, []string{"b=docker"}, list(), "and no longer")

	servers, err := s.Servers().List(ctx, cfg.ID)
	require.NoError(t, err)
	servers[0].Name = "mutated"
	assert.Equal(t, []string{"b=docker"}, list(), "callers get their own slice")
}

// blockingServers holds a List until released, to race a read with a write.
type blockingStore struct {
	repositories.Store
	entered, release chan struct{}
}

type blockingServers struct {
	repositories.ServerRepository
	s *blockingStore
}

func (b *blockingStore) Servers() repositories.ServerRepository {
	return blockingServers{b.Store.Servers(), b}
}

func (b blockingServers) List(ctx context.Context, configID string) ([]models.Server, error) {
	servers, err := b.ServerRepository.List(ctx, configID)
	if b.s.entered != nil {
		close(b.s.entered)
		<-b.s.release
		b.s.entered = nil
	}
	return servers, err
}

// TestReadRacingAWriteDoesNotInstallTheOldState: a read that began before a
// write and ends after it must not leave its old value in the cache.
func TestReadRacingAWriteDoesNotInstallTheOldState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	inner := &blockingStore{Store: openSQLite(t)}
	s, err := cached.Wrap(inner, 500*time.Millisecond, time.Now)
	require.NoError(t, err)
	now := time.Now().UTC()
	cfg := models.Config{ID: "00000000-0000-4000-8000-000000000002", Name: "c", CreatedAt: now, UpdatedAt: now}
	require.NoError(t, s.Configs().Create(ctx, cfg))

	inner.entered, inner.release = make(chan struct{}), make(chan struct{})
	entered := inner.entered
	done := make(chan []models.Server)
	go func() {
		servers, _ := s.Servers().List(ctx, cfg.ID)
		done <- servers
	}()
	<-entered
	require.NoError(t, s.Servers().Create(ctx, cfg.ID, server("new", "npx")))
	close(inner.release)
	assert.Empty(t, <-done, "the racing read saw the old state")
	servers, err := s.Servers().List(ctx, cfg.ID)
	require.NoError(t, err)
	assert.Len(t, servers, 1, "but did not cache it")
}

// Recording key use (once a second while keys verify) must not empty the
// cache of the hottest read each time; any other write still does.
func TestRecordingKeyUseKeepsTheCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	inner, _, s, cfg := newCachedWithOneServer(t)
	now := time.Now().UTC()
	count := func() int {
		t.Helper()
		servers, err := s.Servers().List(ctx, cfg.ID)
		require.NoError(t, err)
		return len(servers)
	}
	require.Equal(t, 1, count())
	// Another instance's write, unseen while the entry lives: it shows whether
	// the entry was dropped.
	require.NoError(t, inner.Servers().Create(ctx, cfg.ID, server("b", "uvx")))
	require.NoError(t, s.InTx(ctx, func(tx repositories.Repos) error {
		return tx.APIKeys().TouchLastUsed(ctx, map[string]time.Time{"no-such-key": now})
	}))
	require.NoError(t, s.APIKeys().TouchLastUsed(ctx, map[string]time.Time{"no-such-key": now}))
	assert.Equal(t, 1, count(), "the entry was kept")
	require.NoError(t, s.InTx(ctx, func(tx repositories.Repos) error {
		return tx.Settings().Put(ctx, models.Setting{Key: "k", Value: `1`, UpdatedAt: now})
	}))
	assert.Equal(t, 2, count(), "a transaction that writes drops it")
}
