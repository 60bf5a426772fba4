package services_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/timed"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/keymaterial"
	"github.com/securemcp/gateway/services/system"
)

// storeCalls records the store operations the services make (through the
// metrics decorator, which names each one).
type storeCalls struct {
	mu  sync.Mutex
	ops []string
}

func (r *storeCalls) ObserveStore(op, _ string, _ time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, op)
}

// take returns the operations recorded since the last take.
func (r *storeCalls) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ops := r.ops
	r.ops = nil
	return ops
}

// observed wires the services of c over its store, with every call recorded.
func observed(t *testing.T, c systemCore) (*services.Services, *storeCalls) {
	t.Helper()
	calls := &storeCalls{}
	files, err := confine.NewDataDir(c.dataDir)
	require.NoError(t, err)
	return services.New(timed.Wrap(c.store, calls), files, entity.SystemClock, sealing.NewEphemeralSealer()), calls
}

// assertNoWholeStoreRead fails on any call that reads rows one by one
// (listings, searches, summaries): the operations under test must count.
func assertNoWholeStoreRead(t *testing.T, ops []string) {
	t.Helper()
	for _, op := range ops {
		for _, read := range []string{".list", ".summaries", ".search", ".members", ".projects_of"} {
			assert.NotContains(t, op, read, "operations: %v", ops)
		}
	}
}

func TestHealthCountsInsteadOfLoadingTheStore(t *testing.T) {
	t.Parallel()
	onEverySystemBackend(t, func(t *testing.T, c systemCore) {
		seedState(t, c)
		svc, calls := observed(t, c)
		stats := models.SystemStatistics{TotalProjects: 2, TotalUsers: 2, TotalConfigs: 2, TotalAPIKeys: 2, DisabledAPIKeys: 1}
		r, err := svc.System.Health(context.Background(), system.HealthCounts)
		require.NoError(t, err)
		assert.Equal(t, stats, r.Statistics)
		assert.True(t, r.Healthy)
		assert.False(t, r.IntegrityChecked)
		assert.Equal(t, []string{"ping", "integrity.counts"}, calls.take(), "one query to count, by default")

		r, err = svc.System.Health(context.Background(), system.HealthIntegrity)
		require.NoError(t, err)
		assert.Equal(t, stats, r.Statistics)
		assert.True(t, r.Healthy, "%v", r.Issues)
		assert.True(t, r.IntegrityChecked)
		assert.Equal(t, []string{"ping", "integrity.counts", "integrity.findings", "snapshot"}, calls.take(), "set-based queries in one snapshot")
	})
}

func TestResetCountsAndDeletesSetWise(t *testing.T) {
	t.Parallel()
	onEverySystemBackend(t, func(t *testing.T, c systemCore) {
		seedState(t, c)
		svc, calls := observed(t, c)
		res, err := svc.System.Reset(context.Background(), true)
		require.NoError(t, err)
		assert.Equal(t, models.BackupCounts{Configs: 2, Servers: 2, Projects: 2, Users: 2, Memberships: 2, APIKeys: 2, Settings: 2}, res.Deleted)
		ops := calls.take()
		assertNoWholeStoreRead(t, ops)
		// The audit record of the reset counts the store once more, in the
		// transaction, and joins the chain.
		assert.Equal(t, []string{"integrity.counts", "integrity.counts", "api_keys.delete_all", "memberships.delete_all", "projects.delete_all",
			"users.delete_all", "configs.delete_all", "settings.delete_all", "audit.last", "audit.append", "tx"}, ops)
	})
}

func TestImportGuardsCountTheStore(t *testing.T) {
	t.Parallel()
	onEverySystemBackend(t, func(t *testing.T, c systemCore) {
		ctx := context.Background()
		f := loadFixture(t)
		seedState(t, c)
		svc, calls := observed(t, c)
		_, imported, err := svc.System.ImportEnkryptIfEmpty(ctx, f.data)
		require.NoError(t, err)
		assert.False(t, imported)
		assert.Equal(t, []string{"integrity.counts", "tx"}, calls.take(), "a store that is not empty is counted, not read")

		_, err = svc.System.ImportEnkrypt(ctx, "input_file", f.data, false)
		assert.Equal(t, errs.KindConflict, errs.KindOf(err))
		assert.Contains(t, err.Error(), "the store is not empty (2 configurations, 2 projects, 2 users, 2 API keys, 2 settings)")
		assertNoWholeStoreRead(t, calls.take())

		_, err = svc.System.ImportEnkrypt(ctx, "input_file", f.data, true)
		require.NoError(t, err)
		assertNoWholeStoreRead(t, calls.take())
	})
}

// TestHealthBoundsItsLists: a store with many unusable keys (members removed,
// which the rules allow) gets a short report that says it is cut.
func TestHealthBoundsItsLists(t *testing.T) {
	t.Parallel()
	onEverySystemBackend(t, func(t *testing.T, c systemCore) {
		ctx := context.Background()
		seedState(t, c)
		now := time.Now().UTC()
		var users []models.User
		var keys []models.APIKey
		for i := range 25 {
			users = append(users, models.User{ID: fmt.Sprintf("60000000-0000-4000-8000-%012d", i), Email: fmt.Sprintf("gone%d@example.com", i), CreatedAt: now, UpdatedAt: now})
			keys = append(keys, models.APIKey{ID: fmt.Sprintf("70000000-0000-4000-8000-%012d", i), Hash: keymaterial.HashAPIKeySecret(fmt.Sprint("gone-", i)),
				Last4: "gone", UserID: users[i].ID, ProjectID: projectID, CreatedAt: now})
		}
		require.NoError(t, c.store.InTx(ctx, func(tx repositories.Repos) error {
			if err := tx.Users().Create(ctx, users...); err != nil {
				return err
			}
			return tx.APIKeys().Create(ctx, keys...)
		}))
		r, err := c.svc.System.Health(ctx, system.HealthIntegrity)
		require.NoError(t, err)
		assert.True(t, r.Healthy, "unusable keys are warnings")
		require.Len(t, r.Warnings, 21)
		assert.Contains(t, r.Warnings[0], `api key "70000000-0000-4000-8000-000000000000": its user is not a member of project "platform"`)
		assert.Equal(t, "… and more of the kind above: only the first 20 are listed", r.Warnings[20])
		assert.Equal(t, 27, r.Statistics.TotalAPIKeys)
	})
}

// deadlineStore records the deadline of the context its Ping is given.
type deadlineStore struct {
	repositories.Store
	deadline time.Time
	hasOne   bool
	err      error
}

func (s *deadlineStore) Ping(ctx context.Context) error {
	s.deadline, s.hasOne = ctx.Deadline()
	return s.err
}

func TestReadyPingsWithAShortDeadline(t *testing.T) {
	t.Parallel()
	c := newSystemCore(t)
	files, err := confine.NewDataDir(c.dataDir)
	require.NoError(t, err)
	store := &deadlineStore{Store: c.store}
	svc := services.New(store, files, entity.SystemClock, sealing.NewEphemeralSealer())
	before := time.Now()
	require.NoError(t, svc.System.Ready(context.Background()))
	require.True(t, store.hasOne, "a probe without a deadline could hang on a stuck database")
	assert.False(t, store.deadline.After(before.Add(system.PingTimeout+time.Second)), "the deadline is PingTimeout away")

	store.err = context.DeadlineExceeded
	err = svc.System.Ready(context.Background())
	assert.Equal(t, errs.KindUnavailable, errs.KindOf(err))
	assert.Equal(t, "the store does not answer", messageOf(err))
	_, err = svc.System.Health(context.Background(), system.HealthCounts)
	assert.Equal(t, errs.KindUnavailable, errs.KindOf(err), "health starts with the same check")

	require.NoError(t, c.svc.System.Ready(context.Background()), "a real store answers")
}

// messageOf is the client-safe message of a services error.
func messageOf(err error) string {
	var e *errs.Error
	if !errors.As(err, &e) {
		return ""
	}
	return e.Message
}
