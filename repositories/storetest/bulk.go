package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

// bulkFixture is one of everything, linked: a configuration with a server, a
// project using it, two users who are members, a key and a setting.
type bulkFixture struct {
	config   models.Config
	project  models.Project
	users    []models.User
	members  []models.Membership
	key      models.APIKey
	settings models.Setting
}

func seedBulk(t *testing.T, s repositories.Store) bulkFixture {
	t.Helper()
	f := bulkFixture{config: newConfig(1, "bulk")}
	f.project = models.Project{ID: "20000000-0000-4000-8000-000000000001", Name: "bulk-project", ConfigID: f.config.ID, CreatedAt: at(2), UpdatedAt: at(2)}
	for i := range 2 {
		f.users = append(f.users, models.User{ID: fmt.Sprintf("30000000-0000-4000-8000-%012d", i+1), Email: fmt.Sprintf("u%d@example.com", i+1), CreatedAt: at(3 + i), UpdatedAt: at(3 + i)})
	}
	// Members added in the reverse order of user creation: List must keep insertion order.
	f.members = []models.Membership{{ProjectID: f.project.ID, UserID: f.users[1].ID, CreatedAt: at(5)}, {ProjectID: f.project.ID, UserID: f.users[0].ID, CreatedAt: at(6)}}
	f.key = models.APIKey{ID: "40000000-0000-4000-8000-000000000001", Hash: fmt.Sprintf("%064d", 1), Last4: "abcd", UserID: f.users[0].ID, ProjectID: f.project.ID, CreatedAt: at(7)}
	f.settings = models.Setting{Key: "telemetry", Value: `{"enabled":true}`, UpdatedAt: at(8)}

	require.NoError(t, s.Configs().Create(ctx(), f.config))
	require.NoError(t, s.Servers().Create(ctx(), f.config.ID, newServer(1, "github")))
	require.NoError(t, s.Projects().Create(ctx(), f.project))
	for _, u := range f.users {
		require.NoError(t, s.Users().Create(ctx(), u))
	}
	for _, m := range f.members {
		require.NoError(t, s.Memberships().Add(ctx(), m))
	}
	require.NoError(t, s.APIKeys().Create(ctx(), f.key))
	require.NoError(t, s.Settings().Put(ctx(), f.settings))
	return f
}

func testBulk(t *testing.T, newStore Factory) {
	t.Run("MembershipListInInsertionOrder", func(t *testing.T) {
		s := newStore(t)
		empty, err := s.Memberships().List(ctx())
		require.NoError(t, err)
		assert.Equal(t, []models.Membership{}, empty, "an empty list is not nil")
		f := seedBulk(t, s)
		got, err := s.Memberships().List(ctx())
		require.NoError(t, err)
		assert.Equal(t, f.members, got)
	})
	t.Run("DeleteAllRefusesWhileReferenced", func(t *testing.T) {
		s := newStore(t)
		seedBulk(t, s)
		assert.ErrorIs(t, s.Configs().DeleteAll(ctx()), repositories.ErrReferenced, "a project uses the configuration")
		assert.ErrorIs(t, s.Users().DeleteAll(ctx()), repositories.ErrReferenced, "keys and memberships reference users")
		assert.ErrorIs(t, s.Projects().DeleteAll(ctx()), repositories.ErrReferenced, "keys reference the project")
	})
	t.Run("DeleteAllInDependencyOrderEmptiesTheStore", func(t *testing.T) {
		s := newStore(t)
		f := seedBulk(t, s)
		require.NoError(t, s.InTx(ctx(), func(tx repositories.Repos) error {
			for _, del := range []func() error{
				func() error { return tx.APIKeys().DeleteAll(ctx()) },
				func() error { return tx.Memberships().DeleteAll(ctx()) },
				func() error { return tx.Projects().DeleteAll(ctx()) },
				func() error { return tx.Users().DeleteAll(ctx()) },
				func() error { return tx.Configs().DeleteAll(ctx()) },
				func() error { return tx.Settings().DeleteAll(ctx()) },
			} {
				if err := del(); err != nil {
					return err
				}
			}
			return nil
		}))
		for name, count := range map[string]func(context.Context) (int, error){
			"configs":  s.Configs().Count,
			"projects": s.Projects().Count,
			"users":    s.Users().Count,
		} {
			n, err := count(ctx())
			require.NoError(t, err)
			assert.Zero(t, n, name)
		}
		total, disabled, err := s.APIKeys().Count(ctx())
		require.NoError(t, err)
		assert.Zero(t, total+disabled)
		members, err := s.Memberships().List(ctx())
		require.NoError(t, err)
		assert.Empty(t, members)
		servers, err := s.Servers().List(ctx(), f.config.ID)
		require.NoError(t, err)
		assert.Empty(t, servers, "servers go with their configuration")
		settings, err := s.Settings().List(ctx())
		require.NoError(t, err)
		assert.Empty(t, settings)
		// The same records insert again: nothing of the old rows survives (unique keys).
		seedBulk(t, s)
	})
	t.Run("DeleteAllOnEmptyStoreIsNoOp", func(t *testing.T) {
		s := newStore(t)
		assert.NoError(t, s.APIKeys().DeleteAll(ctx()))
		assert.NoError(t, s.Memberships().DeleteAll(ctx()))
		assert.NoError(t, s.Projects().DeleteAll(ctx()))
		assert.NoError(t, s.Users().DeleteAll(ctx()))
		assert.NoError(t, s.Configs().DeleteAll(ctx()))
	})
}
