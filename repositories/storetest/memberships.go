package storetest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

func testMemberships(t *testing.T, newStore Factory) {
	setup := func(t *testing.T) (repositories.Store, models.Project, models.Project) {
		s := newStore(t)
		c := newConfig(1, "cfg")
		require.NoError(t, s.Configs().Create(ctx(), c))
		p1, p2 := newProject(1, "one"), newProject(2, "two")
		p1.ConfigID = c.ID
		require.NoError(t, s.Projects().Create(ctx(), p1))
		require.NoError(t, s.Projects().Create(ctx(), p2))
		for i := 1; i <= 3; i++ {
			require.NoError(t, s.Users().Create(ctx(), newUser(i)))
		}
		return s, p1, p2
	}
	t.Run("AddExistsListRemove", func(t *testing.T) {
		s, p1, p2 := setup(t)
		m := models.Membership{ProjectID: p1.ID, UserID: newUser(2).ID, CreatedAt: at(1)}
		require.NoError(t, s.Memberships().Add(ctx(), m))
		require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: p1.ID, UserID: newUser(1).ID, CreatedAt: at(2)}))
		require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: p2.ID, UserID: newUser(2).ID, CreatedAt: at(3)}))
		ok, err := s.Memberships().Exists(ctx(), p1.ID, newUser(2).ID)
		require.NoError(t, err)
		assert.True(t, ok)
		ok, err = s.Memberships().Exists(ctx(), p2.ID, newUser(1).ID)
		require.NoError(t, err)
		assert.False(t, ok)

		byProject, err := s.Memberships().ListByProject(ctx(), p1.ID)
		require.NoError(t, err)
		assert.Equal(t, []models.Membership{m, {ProjectID: p1.ID, UserID: newUser(1).ID, CreatedAt: at(2)}}, byProject, "joining order")
		byUser, err := s.Memberships().ListByUser(ctx(), newUser(2).ID)
		require.NoError(t, err)
		assert.Len(t, byUser, 2)

		require.NoError(t, s.Memberships().Remove(ctx(), p1.ID, newUser(2).ID))
		assert.ErrorIs(t, s.Memberships().Remove(ctx(), p1.ID, newUser(2).ID), repositories.ErrNotFound)
		require.NoError(t, s.Memberships().RemoveAllOfProject(ctx(), p1.ID))
		byProject, err = s.Memberships().ListByProject(ctx(), p1.ID)
		require.NoError(t, err)
		assert.Equal(t, []models.Membership{}, byProject)
		require.NoError(t, s.Memberships().RemoveAllOfUser(ctx(), newUser(2).ID))
		byUser, err = s.Memberships().ListByUser(ctx(), newUser(2).ID)
		require.NoError(t, err)
		assert.Empty(t, byUser)
	})
	t.Run("DuplicateIsConflictUnknownIsReferenced", func(t *testing.T) {
		s, p1, _ := setup(t)
		m := models.Membership{ProjectID: p1.ID, UserID: newUser(1).ID, CreatedAt: at(1)}
		require.NoError(t, s.Memberships().Add(ctx(), m))
		assert.ErrorIs(t, s.Memberships().Add(ctx(), m), repositories.ErrConflict)
		assert.ErrorIs(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: p1.ID, UserID: "ghost", CreatedAt: at(1)}), repositories.ErrReferenced)
		assert.ErrorIs(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: "ghost", UserID: newUser(1).ID, CreatedAt: at(1)}), repositories.ErrReferenced)
	})
	t.Run("MembersAndProjectsOfCountKeysPerProject", func(t *testing.T) {
		s, p1, p2 := setup(t)
		u1, u2 := newUser(1), newUser(2)
		require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: p1.ID, UserID: u2.ID, CreatedAt: at(7)}))
		require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: p1.ID, UserID: u1.ID, CreatedAt: at(8)}))
		require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: p2.ID, UserID: u2.ID, CreatedAt: at(9)}))
		require.NoError(t, s.APIKeys().Create(ctx(), newKey(1, u2.ID, p1.ID)))
		require.NoError(t, s.APIKeys().Create(ctx(), newKey(2, u2.ID, p1.ID)))
		require.NoError(t, s.APIKeys().Create(ctx(), newKey(3, u2.ID, p2.ID)))

		members, err := s.Memberships().Members(ctx(), p1.ID)
		require.NoError(t, err)
		assert.Equal(t, []models.Member{{User: u2, AddedAt: at(7), APIKeys: 2}, {User: u1, AddedAt: at(8)}}, members)
		none, err := s.Memberships().Members(ctx(), "ghost")
		require.NoError(t, err)
		assert.Equal(t, []models.Member{}, none)

		projects, err := s.Memberships().ProjectsOf(ctx(), u2.ID)
		require.NoError(t, err)
		assert.Equal(t, []models.UserProject{
			{ProjectRef: models.ProjectRef{ID: p1.ID, Name: "one"}, ConfigID: p1.ConfigID, ConfigName: "cfg", AddedAt: at(7), APIKeys: 2},
			{ProjectRef: models.ProjectRef{ID: p2.ID, Name: "two"}, AddedAt: at(9), APIKeys: 1},
		}, projects)
	})
}
