package storetest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

func userEmails(list []models.UserSummary) []string {
	out := []string{}
	for _, u := range list {
		out = append(out, u.Email)
	}
	return out
}

func testUsers(t *testing.T, newStore Factory) {
	t.Run("CreateGetResolveByIDOrEmail", func(t *testing.T) {
		s := newStore(t)
		u := newUser(1)
		require.NoError(t, s.Users().Create(ctx(), u))
		for _, ident := range []string{u.ID, u.Email, "User1@EXAMPLE.com"} {
			got, err := s.Users().Resolve(ctx(), ident)
			require.NoError(t, err, ident)
			assert.Equal(t, u, got)
		}
		got, err := s.Users().Get(ctx(), u.ID)
		require.NoError(t, err)
		assert.Equal(t, u, got)
		_, err = s.Users().Resolve(ctx(), "nobody@example.com")
		assert.ErrorIs(t, err, repositories.ErrNotFound)
		_, err = s.Users().Get(ctx(), u.Email)
		assert.ErrorIs(t, err, repositories.ErrNotFound, "Get takes ids only")
	})
	t.Run("IDWinsOverEmail", func(t *testing.T) {
		s := newStore(t)
		first := models.User{ID: "a@example.com", Email: "first@example.com", CreatedAt: at(1), UpdatedAt: at(1)}
		second := models.User{ID: "u2", Email: "a@example.com", CreatedAt: at(2), UpdatedAt: at(2)}
		require.NoError(t, s.Users().Create(ctx(), first))
		require.NoError(t, s.Users().Create(ctx(), second))
		got, err := s.Users().Resolve(ctx(), "a@example.com")
		require.NoError(t, err)
		assert.Equal(t, first, got)
	})
	t.Run("DuplicateEmailIsConflict", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Users().Create(ctx(), newUser(1)))
		require.NoError(t, s.Users().Create(ctx(), newUser(2)))
		assert.ErrorIs(t, s.Users().Create(ctx(), models.User{ID: "x", Email: newUser(1).Email, CreatedAt: at(3), UpdatedAt: at(3)}), repositories.ErrConflict)
		assert.ErrorIs(t, s.Users().UpdateEmail(ctx(), newUser(2).ID, newUser(1).Email, at(4)), repositories.ErrConflict)
	})
	t.Run("UpdateEmail", func(t *testing.T) {
		s := newStore(t)
		u := newUser(1)
		require.NoError(t, s.Users().Create(ctx(), u))
		require.NoError(t, s.Users().UpdateEmail(ctx(), u.ID, "new@example.com", at(5)))
		got, err := s.Users().Resolve(ctx(), "new@example.com")
		require.NoError(t, err)
		assert.Equal(t, models.User{ID: u.ID, Email: "new@example.com", CreatedAt: u.CreatedAt, UpdatedAt: at(5)}, got)
		assert.ErrorIs(t, s.Users().UpdateEmail(ctx(), "missing", "z@example.com", at(6)), repositories.ErrNotFound)
	})
	t.Run("SummariesWithProjectsAndKeyCounts", func(t *testing.T) {
		s := newStore(t)
		p1, p2 := newProject(1, "one"), newProject(2, "two")
		require.NoError(t, s.Projects().Create(ctx(), p1))
		require.NoError(t, s.Projects().Create(ctx(), p2))
		for i := 1; i <= 3; i++ {
			require.NoError(t, s.Users().Create(ctx(), newUser(i)))
		}
		u2 := newUser(2)
		require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: p2.ID, UserID: u2.ID, CreatedAt: at(1)}))
		require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: p1.ID, UserID: u2.ID, CreatedAt: at(2)}))
		require.NoError(t, s.APIKeys().Create(ctx(), newKey(1, u2.ID, p1.ID)))
		require.NoError(t, s.APIKeys().Create(ctx(), newKey(2, u2.ID, p2.ID)))

		all, total, err := s.Users().Summaries(ctx(), repositories.Page{})
		require.NoError(t, err)
		assert.Equal(t, 3, total)
		assert.Equal(t, []string{"user1@example.com", "user2@example.com", "user3@example.com"}, userEmails(all))
		assert.Equal(t, models.UserSummary{User: newUser(1), Projects: []models.ProjectRef{}}, all[0])
		assert.Equal(t, []models.ProjectRef{{ID: p2.ID, Name: "two"}, {ID: p1.ID, Name: "one"}}, all[1].Projects, "in joining order")
		assert.Equal(t, 2, all[1].APIKeys)

		page, total, err := s.Users().Summaries(ctx(), repositories.Page{Limit: 1, Offset: 1})
		require.NoError(t, err)
		assert.Equal(t, 3, total)
		require.Len(t, page, 1)
		assert.Equal(t, all[1], page[0])

		// Members on both sides of a page never leak into it.
		require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: p1.ID, UserID: newUser(1).ID, CreatedAt: at(3)}))
		require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: p2.ID, UserID: newUser(3).ID, CreatedAt: at(4)}))
		all, _, err = s.Users().Summaries(ctx(), repositories.Page{})
		require.NoError(t, err)
		page, _, err = s.Users().Summaries(ctx(), repositories.Page{Limit: 1, Offset: 1})
		require.NoError(t, err)
		assert.Equal(t, all[1:2], page)
		page, _, err = s.Users().Summaries(ctx(), repositories.Page{Offset: 2})
		require.NoError(t, err)
		assert.Equal(t, all[2:], page)
		assert.Equal(t, []models.ProjectRef{{ID: p2.ID, Name: "two"}}, page[0].Projects)
	})
	t.Run("SummaryBatchesWalkTheListFromACursor", func(t *testing.T) {
		s := newStore(t)
		p1, p2 := newProject(1, "one"), newProject(2, "two")
		require.NoError(t, s.Projects().Create(ctx(), p1))
		require.NoError(t, s.Projects().Create(ctx(), p2))
		for i := 1; i <= 6; i++ {
			u := newUser(i)
			require.NoError(t, s.Users().Create(ctx(), u))
			require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: p1.ID, UserID: u.ID, CreatedAt: at(i)}))
			if i%2 == 0 {
				require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: p2.ID, UserID: u.ID, CreatedAt: at(10 + i)}))
				require.NoError(t, s.APIKeys().Create(ctx(), newKey(i, u.ID, p1.ID)))
			}
		}
		all, _, err := s.Users().Summaries(ctx(), repositories.Page{})
		require.NoError(t, err)
		for _, skip := range []int{0, 1, 4} {
			var got []models.UserSummary
			var after repositories.Cursor
			for first := true; ; first = false {
				n := 0
				if first {
					n = skip
				}
				batch, next, err := s.Users().SummaryBatch(ctx(), after, n, 2)
				require.NoError(t, err)
				if len(batch) == 0 {
					break
				}
				got, after = append(got, batch...), next
			}
			assert.Equal(t, all[skip:], got, "skip %d: batches join up with their projects and key counts", skip)
		}
		assert.Len(t, all[1].Projects, 2)
		assert.Equal(t, 1, all[1].APIKeys)
		batch, after, err := s.Users().SummaryBatch(ctx(), 0, 0, 2)
		require.NoError(t, err)
		require.NoError(t, s.Memberships().Remove(ctx(), p1.ID, newUser(3).ID))
		require.NoError(t, s.Users().Delete(ctx(), newUser(3).ID))
		require.NoError(t, s.Users().Create(ctx(), newUser(7)))
		rest, _, err := s.Users().SummaryBatch(ctx(), after, 0, 100)
		require.NoError(t, err)
		assert.Equal(t, []string{"user1@example.com", "user2@example.com"}, userEmails(batch))
		assert.Equal(t, []string{"user4@example.com", "user5@example.com", "user6@example.com", "user7@example.com"}, userEmails(rest))
	})
	t.Run("SearchOnEmailOrProjectName", func(t *testing.T) {
		s := newStore(t)
		p := newProject(1, "Alpha_Team")
		require.NoError(t, s.Projects().Create(ctx(), p))
		users := []models.User{
			{ID: "u1", Email: "alpha@example.com", CreatedAt: at(1), UpdatedAt: at(1)},
			{ID: "u2", Email: "bob@example.com", CreatedAt: at(2), UpdatedAt: at(2)},
			{ID: "u3", Email: "carol@example.com", CreatedAt: at(3), UpdatedAt: at(3)},
		}
		for _, u := range users {
			require.NoError(t, s.Users().Create(ctx(), u))
		}
		require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: p.ID, UserID: "u3", CreatedAt: at(1)}))
		hits, err := s.Users().Search(ctx(), "ALPHA")
		require.NoError(t, err)
		assert.Equal(t, []string{"alpha@example.com", "carol@example.com"}, userEmails(hits))
		assert.Equal(t, []models.ProjectRef{{ID: p.ID, Name: "Alpha_Team"}}, hits[1].Projects)
		hits, err = s.Users().Search(ctx(), "a_t")
		require.NoError(t, err)
		assert.Equal(t, []string{"carol@example.com"}, userEmails(hits), "_ is literal")
		hits, err = s.Users().Search(ctx(), "zzz")
		require.NoError(t, err)
		assert.Equal(t, []models.UserSummary{}, hits)
		doctors := newProject(2, "Ärzte")
		require.NoError(t, s.Projects().Create(ctx(), doctors))
		require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: doctors.ID, UserID: "u2", CreatedAt: at(2)}))
		hits, err = s.Users().Search(ctx(), "ärzte")
		require.NoError(t, err)
		assert.Equal(t, []string{"bob@example.com"}, userEmails(hits), "project names are folded beyond ASCII")
	})
	t.Run("DeleteRefusedWhileReferenced", func(t *testing.T) {
		s := newStore(t)
		p, u := newProject(1, "p"), newUser(1)
		require.NoError(t, s.Projects().Create(ctx(), p))
		require.NoError(t, s.Users().Create(ctx(), u))
		require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: p.ID, UserID: u.ID, CreatedAt: at(1)}))
		assert.ErrorIs(t, s.Users().Delete(ctx(), u.ID), repositories.ErrReferenced, "a member stays")
		require.NoError(t, s.Memberships().RemoveAllOfUser(ctx(), u.ID))
		require.NoError(t, s.Users().Delete(ctx(), u.ID))
		assert.ErrorIs(t, s.Users().Delete(ctx(), u.ID), repositories.ErrNotFound)
		n, err := s.Users().Count(ctx())
		require.NoError(t, err)
		assert.Zero(t, n)
	})
}
