package storetest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

func newProject(i int, name string) models.Project {
	return models.Project{ID: fmt.Sprintf("10000000-0000-4000-8000-%012d", i), Name: name, CreatedAt: at(i), UpdatedAt: at(i)}
}

func projectNames(list []models.ProjectSummary) []string {
	out := []string{}
	for _, p := range list {
		out = append(out, p.Name)
	}
	return out
}

func testProjects(t *testing.T, newStore Factory) {
	t.Run("CreateResolveByIDAndExactName", func(t *testing.T) {
		s := newStore(t)
		p := newProject(1, "alpha")
		require.NoError(t, s.Projects().Create(ctx(), p))
		for _, ident := range []string{p.ID, "alpha"} {
			got, err := s.Projects().Resolve(ctx(), ident)
			require.NoError(t, err)
			assert.Equal(t, p, got)
		}
		got, err := s.Projects().Get(ctx(), p.ID)
		require.NoError(t, err)
		assert.Equal(t, p, got)
		_, err = s.Projects().Resolve(ctx(), "ALPHA")
		assert.ErrorIs(t, err, repositories.ErrNotFound)
		_, err = s.Projects().Get(ctx(), "alpha")
		assert.ErrorIs(t, err, repositories.ErrNotFound, "Get takes ids only")
	})
	t.Run("IDWinsOverName", func(t *testing.T) {
		s := newStore(t)
		first := newProject(1, "first")
		require.NoError(t, s.Projects().Create(ctx(), first))
		require.NoError(t, s.Projects().Create(ctx(), newProject(2, first.ID)))
		got, err := s.Projects().Resolve(ctx(), first.ID)
		require.NoError(t, err)
		assert.Equal(t, "first", got.Name)
	})
	t.Run("DuplicateNameIsConflict", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Projects().Create(ctx(), newProject(1, "dup")))
		assert.ErrorIs(t, s.Projects().Create(ctx(), newProject(2, "dup")), repositories.ErrConflict)
		assert.ErrorIs(t, s.Projects().Create(ctx(), newProject(1, "other")), repositories.ErrConflict, "duplicate id")
	})
	t.Run("SetConfigAssignsUnassignsAndChecksReferences", func(t *testing.T) {
		s := newStore(t)
		c, p := newConfig(1, "cfg"), newProject(1, "p")
		require.NoError(t, s.Configs().Create(ctx(), c))
		require.NoError(t, s.Projects().Create(ctx(), p))
		require.NoError(t, s.Projects().SetConfig(ctx(), p.ID, c.ID, at(5)))
		got, err := s.Projects().Get(ctx(), p.ID)
		require.NoError(t, err)
		assert.Equal(t, c.ID, got.ConfigID)
		assert.Equal(t, at(5), got.UpdatedAt)
		using, err := s.Projects().ListByConfig(ctx(), c.ID)
		require.NoError(t, err)
		assert.Equal(t, []models.Project{got}, using)
		assert.ErrorIs(t, s.Projects().SetConfig(ctx(), p.ID, "missing-config", at(6)), repositories.ErrReferenced)
		assert.ErrorIs(t, s.Projects().SetConfig(ctx(), "missing", c.ID, at(6)), repositories.ErrNotFound)
		require.NoError(t, s.Projects().SetConfig(ctx(), p.ID, "", at(7)))
		got, err = s.Projects().Get(ctx(), p.ID)
		require.NoError(t, err)
		assert.Empty(t, got.ConfigID)
	})
	t.Run("SummariesPageInCreationOrderWithCounts", func(t *testing.T) {
		s := newStore(t)
		c := newConfig(1, "cfg")
		require.NoError(t, s.Configs().Create(ctx(), c))
		for i, name := range []string{"c", "a", "b"} {
			require.NoError(t, s.Projects().Create(ctx(), newProject(i+1, name)))
		}
		first := newProject(1, "c")
		require.NoError(t, s.Projects().SetConfig(ctx(), first.ID, c.ID, at(1)))
		for i := 1; i <= 2; i++ {
			require.NoError(t, s.Users().Create(ctx(), newUser(i)))
			require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: first.ID, UserID: newUser(i).ID, CreatedAt: at(i)}))
		}
		require.NoError(t, s.APIKeys().Create(ctx(), newKey(1, newUser(1).ID, first.ID)))

		all, total, err := s.Projects().Summaries(ctx(), repositories.Page{})
		require.NoError(t, err)
		assert.Equal(t, 3, total)
		assert.Equal(t, []string{"c", "a", "b"}, projectNames(all))
		assert.Equal(t, "cfg", all[0].ConfigName)
		assert.Equal(t, c.ID, all[0].ConfigID)
		assert.Equal(t, [2]int{2, 1}, [2]int{all[0].Users, all[0].APIKeys})
		assert.Equal(t, models.ProjectSummary{Project: newProject(2, "a")}, all[1], "no configuration, no counts")
		page, total, err := s.Projects().Summaries(ctx(), repositories.Page{Limit: 1, Offset: 1})
		require.NoError(t, err)
		assert.Equal(t, 3, total)
		assert.Equal(t, []string{"a"}, projectNames(page))
	})
	t.Run("SearchOnNameOrMemberEmailIgnoringCaseAndWildcards", func(t *testing.T) {
		s := newStore(t)
		for i, name := range []string{"Payments", "web_shop", "webXshop", "other"} {
			require.NoError(t, s.Projects().Create(ctx(), newProject(i+1, name)))
		}
		u := models.User{ID: "u-x", Email: "ops.pay@example.com", CreatedAt: at(1), UpdatedAt: at(1)}
		require.NoError(t, s.Users().Create(ctx(), u))
		require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: newProject(4, "").ID, UserID: u.ID, CreatedAt: at(1)}))

		hits, err := s.Projects().Search(ctx(), "PAY")
		require.NoError(t, err)
		assert.Equal(t, []string{"Payments", "other"}, projectNames(hits), "name or member email")
		hits, err = s.Projects().Search(ctx(), "b_s")
		require.NoError(t, err)
		assert.Equal(t, []string{"web_shop"}, projectNames(hits), "_ is literal")
		hits, err = s.Projects().Search(ctx(), "%")
		require.NoError(t, err)
		assert.Empty(t, hits, "%% is literal")
		hits, err = s.Projects().Search(ctx(), "nothing")
		require.NoError(t, err)
		assert.Equal(t, []models.ProjectSummary{}, hits)
		require.NoError(t, s.Projects().Create(ctx(), newProject(5, "Équipe")))
		hits, err = s.Projects().Search(ctx(), "équipe")
		require.NoError(t, err)
		assert.Equal(t, []string{"Équipe"}, projectNames(hits), "case is folded beyond ASCII")
	})
	t.Run("DeleteCascadesMembershipsButNotKeys", func(t *testing.T) {
		s := newStore(t)
		p, u := newProject(1, "p"), newUser(1)
		require.NoError(t, s.Projects().Create(ctx(), p))
		require.NoError(t, s.Users().Create(ctx(), u))
		require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: p.ID, UserID: u.ID, CreatedAt: at(1)}))
		k := newKey(1, u.ID, p.ID)
		require.NoError(t, s.APIKeys().Create(ctx(), k))
		assert.ErrorIs(t, s.Projects().Delete(ctx(), p.ID), repositories.ErrReferenced, "keys reference the project")
		require.NoError(t, s.APIKeys().Delete(ctx(), k.ID))
		require.NoError(t, s.Projects().Delete(ctx(), p.ID))
		ms, err := s.Memberships().ListByUser(ctx(), u.ID)
		require.NoError(t, err)
		assert.Empty(t, ms)
		assert.ErrorIs(t, s.Projects().Delete(ctx(), p.ID), repositories.ErrNotFound)
		n, err := s.Projects().Count(ctx())
		require.NoError(t, err)
		assert.Zero(t, n)
	})
}
