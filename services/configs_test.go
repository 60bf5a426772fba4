package services_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/sqlstore"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/catalog"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/errs"
)

// newCore opens services over a real SQLite file in a temporary directory.
func newCore(t *testing.T) (*services.Services, repositories.Store) {
	t.Helper()
	return newCoreOn(t, sqltest.NewSQLite)
}

// newCoreOn opens services over a fresh store of one backend.
func newCoreOn(t *testing.T, open func(testing.TB) *sqlstore.Store) (*services.Services, repositories.Store) {
	t.Helper()
	store := open(t)
	files, err := confine.NewDataDir(filepath.Join(t.TempDir(), "data"))
	require.NoError(t, err)
	clock := func() time.Time { return time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) }
	return services.New(store, files, clock, sealing.NewEphemeralSealer()), store
}

// onEveryBackend runs a test against services over each available backend
// (SQLite always, PostgreSQL when configured): the rules that depend on
// transactions and constraints must hold on both.
func onEveryBackend(t *testing.T, test func(t *testing.T, newCore func(*testing.T) (*services.Services, repositories.Store))) {
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			test(t, func(t *testing.T) (*services.Services, repositories.Store) { return newCoreOn(t, b.Open) })
		})
	}
}

func server(name string) models.Server {
	return models.Server{Name: name, Command: "npx", Args: []string{"-y", name}}
}

func TestConfigServiceCopyIsAllOrNothing(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, testCopyIsAllOrNothing)
}

func testCopyIsAllOrNothing(t *testing.T, newCore func(*testing.T) (*services.Services, repositories.Store)) {
	svc, store := newCore(t)
	ctx := context.Background()
	_, err := svc.Configs.Create(ctx, "src")
	require.NoError(t, err)
	for _, n := range []string{"a", "b"} {
		_, err := svc.Configs.AddServer(ctx, "src", server(n))
		require.NoError(t, err)
	}
	_, err = svc.Configs.Create(ctx, "taken")
	require.NoError(t, err)
	_, err = svc.Configs.Copy(ctx, "src", "taken")
	assert.Equal(t, errs.KindConflict, errs.KindOf(err))
	n, err := store.Configs().Count(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n)

	copied, err := svc.Configs.Copy(ctx, "src", "dst")
	require.NoError(t, err)
	d, err := svc.Configs.Get(ctx, copied.ID)
	require.NoError(t, err)
	require.Len(t, d.Servers, 2)
	assert.Equal(t, "a", d.Servers[0].Name)
	assert.Equal(t, []string{"-y", "a"}, d.Servers[0].Args)
}

func TestConfigServiceConcurrentServerAddsKeepEveryOne(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, testConcurrentServerAddsKeepEveryOne)
}

func testConcurrentServerAddsKeepEveryOne(t *testing.T, newCore func(*testing.T) (*services.Services, repositories.Store)) {
	svc, _ := newCore(t)
	ctx := context.Background()
	_, err := svc.Configs.Create(ctx, "cfg")
	require.NoError(t, err)
	const n = 40
	var wg sync.WaitGroup
	outcomes := make(chan error, 2*n)
	for i := 0; i < n; i++ {
		wg.Add(2)
		go func(i int) {
			defer wg.Done()
			_, err := svc.Configs.AddServer(ctx, "cfg", server(fmt.Sprintf("s%d", i)))
			outcomes <- err
		}(i)
		go func() {
			defer wg.Done()
			_, err := svc.Configs.AddServer(ctx, "cfg", server("same"))
			outcomes <- err
		}()
	}
	wg.Wait()
	close(outcomes)
	conflicts := 0
	for err := range outcomes {
		if err != nil {
			require.Equal(t, errs.KindConflict, errs.KindOf(err), "%v", err)
			conflicts++
		}
	}
	assert.Equal(t, n-1, conflicts, "exactly one of the same-name adds wins")
	servers, err := svc.Configs.ListServers(ctx, "cfg")
	require.NoError(t, err)
	assert.Len(t, servers, n+1)
}

func TestConfigServiceErrorsKeepTheirKindWhenWrapped(t *testing.T) {
	t.Parallel()
	svc, _ := newCore(t)
	_, err := svc.Configs.Get(context.Background(), "missing")
	wrapped := fmt.Errorf("handler: %w", err)
	assert.Equal(t, errs.KindNotFound, errs.KindOf(wrapped))
	var e *errs.Error
	require.True(t, errors.As(wrapped, &e))
	assert.Contains(t, e.Message, `"missing"`)
}

func TestConfigServiceUpdateServerPartial(t *testing.T) {
	t.Parallel()
	svc, _ := newCore(t)
	ctx := context.Background()
	_, err := svc.Configs.Create(ctx, "cfg")
	require.NoError(t, err)
	s := server("git")
	s.Env = map[string]string{"A": "1"}
	s.Description = "desc"
	_, err = svc.Configs.AddServer(ctx, "cfg", s)
	require.NoError(t, err)
	empty := map[string]string{}
	got, err := svc.Configs.UpdateServer(ctx, "cfg", "git", catalog.ServerPatch{Env: &empty})
	require.NoError(t, err)
	assert.Empty(t, got.Env)
	assert.Equal(t, "desc", got.Description)
	assert.Equal(t, []string{"-y", "git"}, got.Args)
	blank := " "
	_, err = svc.Configs.UpdateServer(ctx, "cfg", "git", catalog.ServerPatch{Command: &blank})
	assert.Equal(t, errs.KindInvalid, errs.KindOf(err))
	stored, err := svc.Configs.GetServer(ctx, "cfg", "git")
	require.NoError(t, err)
	assert.Equal(t, "npx", stored.Command, "a refused update changes nothing")
}

// Text that PostgreSQL cannot hold (a NUL character, invalid UTF-8) reaches
// the services through paths and bodies; on every backend it is a 404 or a
// 400, never a storage failure.
func TestTextNoBackendStoresIsNotFoundOrInvalid(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, func(t *testing.T, newCore func(*testing.T) (*services.Services, repositories.Store)) {
		svc, _ := newCore(t)
		ctx := context.Background()
		_, err := svc.Configs.Create(ctx, "cfg")
		require.NoError(t, err)
		_, err = svc.Configs.AddServer(ctx, "cfg", server("s"))
		require.NoError(t, err)
		for _, text := range []string{"a\x00b", "bad\xffutf8"} {
			_, err = svc.Configs.Get(ctx, text)
			assert.Equal(t, errs.KindNotFound, errs.KindOf(err), "%q: %v", text, err)
			_, err = svc.Users.Get(ctx, text)
			assert.Equal(t, errs.KindNotFound, errs.KindOf(err), "%q: %v", text, err)
			_, err = svc.Projects.Get(ctx, text)
			assert.Equal(t, errs.KindNotFound, errs.KindOf(err), "%q: %v", text, err)
			_, err = svc.APIKeys.Get(ctx, text)
			assert.Equal(t, errs.KindNotFound, errs.KindOf(err), "%q: %v", text, err)
			_, err = svc.Configs.GetServer(ctx, "cfg", text)
			assert.Equal(t, errs.KindNotFound, errs.KindOf(err), "%q: %v", text, err)
			assert.Equal(t, errs.KindNotFound, errs.KindOf(svc.Configs.RemoveServer(ctx, "cfg", text)), text)
			_, err = svc.Configs.Search(ctx, text)
			assert.Equal(t, errs.KindInvalid, errs.KindOf(err), "%q: %v", text, err)
			_, err = svc.Users.Search(ctx, text)
			assert.Equal(t, errs.KindInvalid, errs.KindOf(err), "%q: %v", text, err)
		}
		bad := server("d")
		bad.Description = "a\x00b"
		_, err = svc.Configs.AddServer(ctx, "cfg", bad)
		assert.Equal(t, errs.KindInvalid, errs.KindOf(err), "%v", err)
		assert.ErrorContains(t, err, "description")
	})
}

func TestLargeIntegersSurviveEveryBackend(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, func(t *testing.T, newCore func(*testing.T) (*services.Services, repositories.Store)) {
		svc, _ := newCore(t)
		ctx := context.Background()
		_, err := svc.Configs.Create(ctx, "cfg")
		require.NoError(t, err)
		var tools models.JSONObject
		require.NoError(t, json.Unmarshal([]byte(`{"max": 9007199254740993, "nested": [{"min": -9223372036854775808}]}`), &tools))
		srv := server("s")
		srv.Tools = tools
		_, err = svc.Configs.AddServer(ctx, "cfg", srv)
		require.NoError(t, err)
		got, err := svc.Configs.GetServer(ctx, "cfg", "s")
		require.NoError(t, err)
		out, err := json.Marshal(got.Tools)
		require.NoError(t, err)
		assert.JSONEq(t, `{"max": 9007199254740993, "nested": [{"min": -9223372036854775808}]}`, string(out))
		assert.Contains(t, string(out), "9007199254740993", "JSONEq compares as float64; the digits must be there")
	})
}
