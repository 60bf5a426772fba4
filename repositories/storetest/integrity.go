package storetest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

func testIntegrity(t *testing.T, newStore Factory) {
	t.Run("CountsEmpty", func(t *testing.T) {
		s := newStore(t)
		n, err := s.Integrity().Counts(ctx())
		require.NoError(t, err)
		assert.Equal(t, models.StoreCounts{}, n)
		assert.True(t, n.Empty())
		f, err := s.Integrity().Findings(ctx(), 5)
		require.NoError(t, err)
		assert.Equal(t, models.IntegrityFindings{}, f)
	})
	t.Run("CountsEveryKind", func(t *testing.T) {
		s := newStore(t)
		fx := seedBulk(t, s)
		require.NoError(t, s.Servers().Create(ctx(), fx.config.ID, newServer(9, "slack")))
		k := fx.key
		k.ID, k.Hash, k.UserID, k.Disabled = "40000000-0000-4000-8000-000000000002", fmt.Sprintf("%064d", 2), fx.users[1].ID, true
		require.NoError(t, s.APIKeys().Create(ctx(), k))
		n, err := s.Integrity().Counts(ctx())
		require.NoError(t, err)
		assert.Equal(t, models.StoreCounts{Configs: 1, Servers: 2, Projects: 1, Users: 2, Memberships: 2, APIKeys: 2, DisabledAPIKeys: 1, Settings: 1}, n)
		assert.False(t, n.Empty())
		f, err := s.Integrity().Findings(ctx(), 5)
		require.NoError(t, err)
		assert.Equal(t, models.IntegrityFindings{}, f, "a store written by the rules breaks none")
	})
	t.Run("CountsSeeTheTransactionsOwnWrites", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.InTx(ctx(), func(tx repositories.Repos) error {
			require.NoError(t, tx.Configs().Create(ctx(), newConfig(1, "in-tx")))
			n, err := tx.Integrity().Counts(ctx())
			require.NoError(t, err)
			assert.Equal(t, 1, n.Configs)
			return nil
		}))
	})
	t.Run("Findings", func(t *testing.T) {
		s := newStore(t)
		fx := seedBulk(t, s)
		// Spellings the services never store, as an old database may hold them.
		require.NoError(t, s.Users().Create(ctx(), models.User{ID: "30000000-0000-4000-8000-000000000009", Email: "U1@Example.com", CreatedAt: at(20), UpdatedAt: at(20)}))
		require.NoError(t, s.Users().Create(ctx(), models.User{ID: "30000000-0000-4000-8000-000000000010", Email: " spaced@example.com", CreatedAt: at(21), UpdatedAt: at(21)}))
		require.NoError(t, s.Configs().Create(ctx(), newConfig(22, "BULK")))
		require.NoError(t, s.Configs().Create(ctx(), newConfig(23, "Bulk")))
		require.NoError(t, s.Projects().Create(ctx(), newProject(24, "Bulk-Project")))
		// The key's user leaves the project; another member's key is in a
		// project without configuration.
		require.NoError(t, s.Memberships().Remove(ctx(), fx.project.ID, fx.users[0].ID))
		idle := newProject(25, "idle")
		require.NoError(t, s.Projects().Create(ctx(), idle))
		require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: idle.ID, UserID: fx.users[1].ID, CreatedAt: at(26)}))
		idleKey := newKey(27, fx.users[1].ID, idle.ID)
		require.NoError(t, s.APIKeys().Create(ctx(), idleKey))

		f, err := s.Integrity().Findings(ctx(), 5)
		require.NoError(t, err)
		assert.Empty(t, f.Dangling, "foreign keys hold")
		assert.Equal(t, []string{"U1@Example.com", " spaced@example.com"}, f.EmailsNotCanonical)
		assert.Equal(t, []models.CaseClash{{Folded: "u1@example.com", Values: []string{"u1@example.com", "U1@Example.com"}}}, f.EmailClashes)
		assert.Equal(t, []models.CaseClash{{Folded: "bulk", Values: []string{"bulk", "BULK", "Bulk"}}}, f.ConfigNameClashes)
		assert.Equal(t, []models.CaseClash{{Folded: "bulk-project", Values: []string{"bulk-project", "Bulk-Project"}}}, f.ProjectNameClashes)
		assert.Equal(t, []models.KeyOfProject{{KeyID: fx.key.ID, ProjectName: "bulk-project"}}, f.KeysOfNonMembers)
		assert.Equal(t, []models.KeyOfProject{{KeyID: idleKey.ID, ProjectName: "idle"}}, f.KeysWithoutConfig)
	})
	t.Run("FindingsAreBounded", func(t *testing.T) {
		s := newStore(t)
		for i := range 3 {
			require.NoError(t, s.Configs().Create(ctx(), newConfig(2*i+1, fmt.Sprintf("name-%d", i))))
			require.NoError(t, s.Configs().Create(ctx(), newConfig(2*i+2, fmt.Sprintf("NAME-%d", i))))
			require.NoError(t, s.Users().Create(ctx(), models.User{ID: fmt.Sprintf("u-%d", i), Email: fmt.Sprintf("User%d@example.com", i), CreatedAt: at(10 + i), UpdatedAt: at(10 + i)}))
		}
		f, err := s.Integrity().Findings(ctx(), 2)
		require.NoError(t, err)
		assert.Equal(t, []models.CaseClash{{Folded: "name-0", Values: []string{"name-0", "NAME-0"}}, {Folded: "name-1", Values: []string{"name-1", "NAME-1"}}}, f.ConfigNameClashes,
			"the first clashes in creation order")
		assert.Equal(t, []string{"User0@example.com", "User1@example.com"}, f.EmailsNotCanonical)
		_, err = s.Integrity().Findings(ctx(), 0)
		assert.Error(t, err, "an unbounded request is refused")
	})
	t.Run("Ping", func(t *testing.T) {
		assert.NoError(t, newStore(t).Ping(ctx()))
	})
}
