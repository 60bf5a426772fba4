package services_test

import (
	"context"
	"fmt"
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
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/access"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
)

// twoInstances is two gateways' services sharing one database.
func twoInstances(t *testing.T, b sqltest.Backend) (a, other *services.Services) {
	t.Helper()
	sa, sb := b.OpenPair(t)
	open := func(s *sqlstore.Store) *services.Services {
		files, err := confine.NewDataDir(filepath.Join(t.TempDir(), "data"))
		require.NoError(t, err)
		svc := services.New(s, files, entity.SystemClock, sealing.NewEphemeralSealer())
		t.Cleanup(func() { _ = svc.Close() })
		return svc
	}
	return open(sa), open(sb)
}

// What one instance changes about a key, the other's Verify sees at once:
// no instance keeps key state to itself.
func TestTwoInstancesAgreeOnKeysOnEveryBackend(t *testing.T) {
	t.Parallel()
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			a, other := twoInstances(t, b)
			_, err := a.Configs.Create(ctx, "cfg")
			require.NoError(t, err)
			_, err = other.Projects.Create(ctx, "p")
			require.NoError(t, err)
			_, _, err = a.Projects.AssignConfig(ctx, "p", "", "cfg")
			require.NoError(t, err)
			_, err = other.Users.Create(ctx, "alice@example.com")
			require.NoError(t, err)
			_, err = a.Projects.AddMember(ctx, "p", "", "alice@example.com")
			require.NoError(t, err)
			key, err := a.APIKeys.Generate(ctx, "alice@example.com", "", "p", "")
			require.NoError(t, err)

			v, err := other.APIKeys.Verify(ctx, key.Secret)
			require.NoError(t, err)
			assert.Equal(t, key.Key.ID, v.Key.ID)

			_, err = a.APIKeys.Disable(ctx, key.Key.ID)
			require.NoError(t, err)
			refusedWithinASecond(t, other, key.Secret, access.ReasonDisabled)

			_, err = other.APIKeys.Enable(ctx, key.Key.ID)
			require.NoError(t, err)
			_, err = a.APIKeys.Verify(ctx, key.Secret)
			require.NoError(t, err, "enabled through the other instance")

			rotated, err := other.APIKeys.Rotate(ctx, key.Key.ID, 0)
			require.NoError(t, err)
			refusedWithinASecond(t, a, key.Secret, access.ReasonUnknown)
			_, err = a.APIKeys.Verify(ctx, rotated.Secret)
			require.NoError(t, err)

			_, err = other.Projects.RemoveMember(ctx, "p", "alice@example.com")
			require.NoError(t, err)
			refusedWithinASecond(t, a, rotated.Secret, access.ReasonNotMember)
		})
	}
}

// refusedWithinASecond asserts that svc refuses secret for reason, waiting at
// most one second for a change made elsewhere to show.
func refusedWithinASecond(t *testing.T, svc *services.Services, secret string, reason access.Reason) {
	t.Helper()
	changed := time.Now()
	for {
		started := time.Now()
		_, err := svc.APIKeys.Verify(context.Background(), secret)
		if err != nil && access.RefusalReason(err) == reason {
			return
		}
		// Only a check that started over a second after the change is late.
		if started.Sub(changed) > time.Second {
			t.Fatalf("not refused for %s within 1s: %v", reason, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Two instances adding members and keys concurrently: every acknowledged
// write is there once, and a duplicate is refused whichever instance it hits.
func TestTwoInstancesConcurrentWritesOnEveryBackend(t *testing.T) {
	t.Parallel()
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			a, other := twoInstances(t, b)
			_, err := a.Projects.Create(ctx, "p")
			require.NoError(t, err)
			const n = 20
			for i := range n {
				_, err := []*services.Services{a, other}[i%2].Users.Create(ctx, fmt.Sprintf("u%d@example.com", i))
				require.NoError(t, err)
			}
			var wg sync.WaitGroup
			outcomes := make([]error, 2*n)
			for i := range 2 * n {
				svc := []*services.Services{a, other}[i%2]
				// Each user is added twice, once through each instance.
				wg.Go(func() { _, outcomes[i] = svc.Projects.AddMember(ctx, "p", "", fmt.Sprintf("u%d@example.com", i/2)) })
			}
			wg.Wait()
			conflicts := 0
			for _, err := range outcomes {
				if err != nil {
					require.Equal(t, errs.KindConflict, errs.KindOf(err), "%v", err)
					conflicts++
				}
			}
			assert.Equal(t, n, conflicts, "each user joins once")
			members, err := other.Projects.Members(ctx, "p")
			require.NoError(t, err)
			assert.Len(t, members, n)
		})
	}
}

// The gateway keeps the servers it reads under the configuration's version,
// which it learns from Verify (never cached): so it must read them past the
// short read cache, or a list cached just before another instance's edit
// would be kept under the edit's version for good.
func TestCurrentServersSeeAnotherInstancesEditAtOnceOnEveryBackend(t *testing.T) {
	t.Parallel()
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			sa, sb := b.OpenPair(t)
			// The other instance reads through the read cache, as a server does;
			// its entries outlive this test's steps.
			cachedB, err := cached.Wrap(sb, cached.MaxTTL-time.Millisecond, time.Now)
			require.NoError(t, err)
			open := func(s repositories.Store) *services.Services {
				files, err := confine.NewDataDir(filepath.Join(t.TempDir(), "data"))
				require.NoError(t, err)
				svc := services.New(s, files, entity.SystemClock, sealing.NewEphemeralSealer())
				t.Cleanup(func() { _ = svc.Close() })
				return svc
			}
			a, other := open(sa), open(cachedB)
			c, err := a.Configs.Create(ctx, "cfg")
			require.NoError(t, err)
			servers, err := other.Configs.ListServers(ctx, c.ID)
			require.NoError(t, err)
			require.Empty(t, servers, "read, and kept by the other instance's cache")

			_, err = a.Configs.AddServer(ctx, "cfg", models.Server{Name: "git", Command: "uvx"})
			require.NoError(t, err)
			current, err := other.Configs.CurrentServers(ctx, c.ID)
			require.NoError(t, err)
			require.Len(t, current.Servers, 1, "the edit made through the first instance")
			assert.Equal(t, "git", current.Servers[0].Name)
			assert.Equal(t, c.ID, current.ID)

			_, err = other.Configs.CurrentServers(ctx, "no-such-config")
			assert.Equal(t, errs.KindNotFound, errs.KindOf(err))
		})
	}
}
