package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

func newConfig(i int, name string) models.Config {
	return models.Config{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Name: name, CreatedAt: at(i), UpdatedAt: at(i)}
}

func testConfigs(t *testing.T, newStore Factory) {
	t.Run("CreateResolveByIDAndName", func(t *testing.T) {
		s := newStore(t)
		c := newConfig(1, "alpha")
		require.NoError(t, s.Configs().Create(ctx(), c))
		byID, err := s.Configs().Resolve(ctx(), c.ID)
		require.NoError(t, err)
		assert.Equal(t, c, byID)
		byName, err := s.Configs().Resolve(ctx(), "alpha")
		require.NoError(t, err)
		assert.Equal(t, c, byName)
		_, err = s.Configs().Resolve(ctx(), "ALPHA")
		assert.ErrorIs(t, err, repositories.ErrNotFound, "names are exact")
	})
	t.Run("IDWinsOverName", func(t *testing.T) {
		s := newStore(t)
		first := newConfig(1, "first")
		require.NoError(t, s.Configs().Create(ctx(), first))
		// A second configuration whose name is the first one's id.
		require.NoError(t, s.Configs().Create(ctx(), newConfig(2, first.ID)))
		got, err := s.Configs().Resolve(ctx(), first.ID)
		require.NoError(t, err)
		assert.Equal(t, "first", got.Name)
	})
	t.Run("DuplicateNameIsConflict", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Configs().Create(ctx(), newConfig(1, "dup")))
		err := s.Configs().Create(ctx(), newConfig(2, "dup"))
		assert.ErrorIs(t, err, repositories.ErrConflict)
	})
	t.Run("ListPagesInCreationOrder", func(t *testing.T) {
		s := newStore(t)
		for i, name := range []string{"c", "a", "b"} {
			require.NoError(t, s.Configs().Create(ctx(), newConfig(i+1, name)))
		}
		all, total, err := s.Configs().List(ctx(), repositories.Page{})
		require.NoError(t, err)
		assert.Equal(t, 3, total)
		assert.Equal(t, []string{"c", "a", "b"}, summaryNames(all))
		page, total, err := s.Configs().List(ctx(), repositories.Page{Limit: 1, Offset: 1})
		require.NoError(t, err)
		assert.Equal(t, 3, total)
		assert.Equal(t, []string{"a"}, summaryNames(page))
		rest, _, err := s.Configs().List(ctx(), repositories.Page{Offset: 2})
		require.NoError(t, err)
		assert.Equal(t, []string{"b"}, summaryNames(rest))
	})
	t.Run("ListCountsServersAndProjects", func(t *testing.T) {
		s := newStore(t)
		c := newConfig(1, "used")
		require.NoError(t, s.Configs().Create(ctx(), c))
		require.NoError(t, s.Servers().Create(ctx(), c.ID, newServer(1, "one")))
		require.NoError(t, s.Servers().Create(ctx(), c.ID, newServer(2, "two")))
		p := models.Project{ID: "10000000-0000-4000-8000-000000000001", Name: "proj", ConfigID: c.ID, CreatedAt: at(3), UpdatedAt: at(3)}
		require.NoError(t, s.Projects().Create(ctx(), p))
		list, _, err := s.Configs().List(ctx(), repositories.Page{})
		require.NoError(t, err)
		require.Len(t, list, 1)
		assert.Equal(t, 2, list[0].ServerCount)
		assert.Equal(t, []models.ProjectRef{{ID: p.ID, Name: "proj"}}, list[0].Projects)
	})
	t.Run("RenameAndConflict", func(t *testing.T) {
		s := newStore(t)
		a, b := newConfig(1, "a"), newConfig(2, "b")
		require.NoError(t, s.Configs().Create(ctx(), a))
		require.NoError(t, s.Configs().Create(ctx(), b))
		require.NoError(t, s.Configs().Rename(ctx(), a.ID, "a2", at(5)))
		got, err := s.Configs().Resolve(ctx(), "a2")
		require.NoError(t, err)
		assert.Equal(t, at(5), got.UpdatedAt)
		assert.ErrorIs(t, s.Configs().Rename(ctx(), a.ID, "b", at(6)), repositories.ErrConflict)
		assert.ErrorIs(t, s.Configs().Rename(ctx(), "missing", "z", at(6)), repositories.ErrNotFound)
	})
	t.Run("DeleteCascadesServersButNotUsedByProject", func(t *testing.T) {
		s := newStore(t)
		c := newConfig(1, "gone")
		require.NoError(t, s.Configs().Create(ctx(), c))
		require.NoError(t, s.Servers().Create(ctx(), c.ID, newServer(1, "srv")))
		require.NoError(t, s.Configs().Delete(ctx(), c.ID))
		servers, err := s.Servers().List(ctx(), c.ID)
		require.NoError(t, err)
		assert.Empty(t, servers)
		assert.ErrorIs(t, s.Configs().Delete(ctx(), c.ID), repositories.ErrNotFound)

		used := newConfig(2, "used")
		require.NoError(t, s.Configs().Create(ctx(), used))
		require.NoError(t, s.Projects().Create(ctx(), models.Project{ID: "10000000-0000-4000-8000-000000000002", Name: "p", ConfigID: used.ID, CreatedAt: at(1), UpdatedAt: at(1)}))
		err = s.Configs().Delete(ctx(), used.ID)
		assert.True(t, errors.Is(err, repositories.ErrReferenced), "got %v", err)
	})
	t.Run("SearchIsCaseInsensitiveOnConfigAndServerNames", func(t *testing.T) {
		s := newStore(t)
		git := newConfig(1, "GitTools")
		other := newConfig(2, "other")
		plain := newConfig(3, "plain")
		for _, c := range []models.Config{git, other, plain} {
			require.NoError(t, s.Configs().Create(ctx(), c))
		}
		require.NoError(t, s.Servers().Create(ctx(), other.ID, newServer(1, "github")))
		require.NoError(t, s.Servers().Create(ctx(), other.ID, newServer(2, "slack")))
		hits, err := s.Configs().Search(ctx(), "GIT")
		require.NoError(t, err)
		require.Len(t, hits, 2)
		assert.Equal(t, "GitTools", hits[0].Name)
		assert.True(t, hits[0].NameMatches)
		assert.Equal(t, "other", hits[1].Name)
		assert.False(t, hits[1].NameMatches)
		assert.Equal(t, []string{"github"}, hits[1].MatchingServers)
		assert.Equal(t, 2, hits[1].ServerCount)
		none, err := s.Configs().Search(ctx(), "%")
		require.NoError(t, err)
		assert.Empty(t, none, "LIKE wildcards in the term are literal")
	})
	t.Run("SearchFoldsCaseBeyondASCII", func(t *testing.T) {
		s := newStore(t)
		ecole, cyrillic := newConfig(1, "École-tools"), newConfig(2, "other")
		for _, c := range []models.Config{ecole, cyrillic, newConfig(3, "ecole-plain")} {
			require.NoError(t, s.Configs().Create(ctx(), c))
		}
		require.NoError(t, s.Servers().Create(ctx(), cyrillic.ID, newServer(1, "ЖУРНАЛ")))
		for _, term := range []string{"école", "ÉCOLE", "ÉcOlE-T"} {
			hits, err := s.Configs().Search(ctx(), term)
			require.NoError(t, err)
			require.Len(t, hits, 1, term)
			assert.Equal(t, "École-tools", hits[0].Name, term)
		}
		hits, err := s.Configs().Search(ctx(), "журнал")
		require.NoError(t, err)
		require.Len(t, hits, 1)
		assert.Equal(t, []string{"ЖУРНАЛ"}, hits[0].MatchingServers)
	})
}

func summaryNames(list []models.ConfigSummary) []string {
	out := []string{}
	for _, c := range list {
		out = append(out, c.Name)
	}
	return out
}
