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

// testBulkInsert checks the many-rows form of Users().Create,
// Memberships().Add and APIKeys().Create, with more rows than one statement
// carries, so that the batching itself is covered.
func testBulkInsert(t *testing.T, newStore Factory) {
	const n = 2_500 // an API key has 14 columns: more than one batch of parameters
	build := func() (models.Config, models.Project, []models.User, []models.Membership, []models.APIKey) {
		c := newConfig(1, "many")
		p := models.Project{ID: "21000000-0000-4000-8000-000000000001", Name: "many", ConfigID: c.ID, CreatedAt: at(1), UpdatedAt: at(1)}
		users := make([]models.User, n)
		members := make([]models.Membership, n)
		keys := make([]models.APIKey, n)
		for i := range n {
			// Ids descend while creation order ascends: listings must follow insertion.
			users[i] = models.User{ID: fmt.Sprintf("31000000-0000-4000-8000-%012d", n-i), Email: fmt.Sprintf("many%05d@example.com", i), CreatedAt: at(i), UpdatedAt: at(i)}
			members[i] = models.Membership{ProjectID: p.ID, UserID: users[i].ID, CreatedAt: at(i)}
			keys[i] = models.APIKey{ID: fmt.Sprintf("41000000-0000-4000-8000-%012d", n-i), Hash: fmt.Sprintf("%064x", i), Last4: "abcd",
				UserID: users[i].ID, ProjectID: p.ID, CreatedAt: at(i), Disabled: i%2 == 0}
		}
		return c, p, users, members, keys
	}
	t.Run("ManyRowsInsertInOrder", func(t *testing.T) {
		s := newStore(t)
		c, p, users, members, keys := build()
		require.NoError(t, s.InTx(ctx(), func(tx repositories.Repos) error {
			if err := tx.Configs().Create(ctx(), c); err != nil {
				return err
			}
			if err := tx.Projects().Create(ctx(), p); err != nil {
				return err
			}
			if err := tx.Users().Create(ctx(), users...); err != nil {
				return err
			}
			if err := tx.Memberships().Add(ctx(), members...); err != nil {
				return err
			}
			return tx.APIKeys().Create(ctx(), keys...)
		}))
		gotUsers, total, err := s.Users().List(ctx(), repositories.Page{})
		require.NoError(t, err)
		assert.Equal(t, n, total)
		assert.Equal(t, users, gotUsers)
		gotMembers, err := s.Memberships().List(ctx())
		require.NoError(t, err)
		assert.Equal(t, members, gotMembers)
		gotKeys, _, err := s.APIKeys().List(ctx(), repositories.Page{})
		require.NoError(t, err)
		assert.Equal(t, keys, gotKeys)
	})
	t.Run("NoRowsIsNoOp", func(t *testing.T) {
		s := newStore(t)
		assert.NoError(t, s.Users().Create(ctx()))
		assert.NoError(t, s.Memberships().Add(ctx()))
		assert.NoError(t, s.APIKeys().Create(ctx()))
		n, err := s.Users().Count(ctx())
		require.NoError(t, err)
		assert.Zero(t, n)
	})
	t.Run("ADuplicateInALaterBatchLeavesNothing", func(t *testing.T) {
		s := newStore(t)
		_, _, users, _, _ := build()
		users[n-1].Email = users[0].Email
		err := s.InTx(ctx(), func(tx repositories.Repos) error { return tx.Users().Create(ctx(), users...) })
		assert.ErrorIs(t, err, repositories.ErrConflict)
		count, err := s.Users().Count(ctx())
		require.NoError(t, err)
		assert.Zero(t, count, "the transaction rolled back every batch")
		assert.ErrorIs(t, s.Users().Create(ctx(), users[0], users[0]), repositories.ErrConflict, "a duplicate within one statement")
	})
}

// testBulkInsertEntities checks the many-rows form of Configs().Create,
// Servers().Create and Projects().Create (restore and import write every row
// of a list in one statement).
func testBulkInsertEntities(t *testing.T, newStore Factory) {
	t.Run("ManyRowsInsertInOrder", func(t *testing.T) {
		s := newStore(t)
		// Names and ids descend while creation order ascends: listings must follow insertion.
		configs := []models.Config{newConfig(3, "c-z"), newConfig(2, "c-y"), newConfig(1, "c-x")}
		projects := []models.Project{newProject(3, "p-z"), newProject(2, "p-y"), newProject(1, "p-x")}
		projects[1].ConfigID = configs[0].ID
		servers := []models.Server{newServer(3, "s-z"), newServer(2, "s-y"), newServer(1, "s-x")}
		require.NoError(t, s.InTx(ctx(), func(tx repositories.Repos) error {
			if err := tx.Configs().Create(ctx(), configs...); err != nil {
				return err
			}
			if err := tx.Servers().Create(ctx(), configs[0].ID, servers...); err != nil {
				return err
			}
			return tx.Projects().Create(ctx(), projects...)
		}))
		gotConfigs, _, err := s.Configs().List(ctx(), repositories.Page{})
		require.NoError(t, err)
		var names []string
		for _, c := range gotConfigs {
			names = append(names, c.Name)
		}
		assert.Equal(t, []string{"c-z", "c-y", "c-x"}, names)
		gotServers, err := s.Servers().List(ctx(), configs[0].ID)
		require.NoError(t, err)
		assert.Equal(t, servers, gotServers)
		gotProjects, _, err := s.Projects().List(ctx(), repositories.Page{})
		require.NoError(t, err)
		assert.Equal(t, projects, gotProjects)
	})
	t.Run("NoRowsIsNoOp", func(t *testing.T) {
		s := newStore(t)
		assert.NoError(t, s.Configs().Create(ctx()))
		assert.NoError(t, s.Projects().Create(ctx()))
		assert.NoError(t, s.Servers().Create(ctx(), "no-such-config"))
	})
	t.Run("ADuplicateLeavesNothing", func(t *testing.T) {
		s := newStore(t)
		c := newConfig(1, "one")
		assert.ErrorIs(t, s.Configs().Create(ctx(), c, newConfig(2, "one")), repositories.ErrConflict)
		require.NoError(t, s.Configs().Create(ctx(), c))
		assert.ErrorIs(t, s.Servers().Create(ctx(), c.ID, newServer(1, "same"), newServer(2, "same")), repositories.ErrConflict)
		assert.ErrorIs(t, s.Projects().Create(ctx(), newProject(1, "p"), newProject(1, "q")), repositories.ErrConflict)
		n, err := s.Integrity().Counts(ctx())
		require.NoError(t, err)
		assert.Equal(t, models.StoreCounts{Configs: 1}, n, "one statement: all rows or none")
	})
}
