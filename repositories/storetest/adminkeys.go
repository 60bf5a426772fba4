package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

func newAdminKey(i int) models.AdminKey {
	return models.AdminKey{ID: fmt.Sprintf("admin-key-%d", i), Name: fmt.Sprintf("key %d", i),
		Hash: fmt.Sprintf("hash-%d", i), Last4: fmt.Sprintf("%04d", i), Role: "operator", CreatedAt: at(i)}
}

func testAdminKeys(t *testing.T, newStore Factory) {
	t.Run("CreateResolveByIDOrName", func(t *testing.T) {
		s := newStore(t)
		k := newAdminKey(1)
		expires := at(100)
		k.ExpiresAt = &expires
		require.NoError(t, s.AdminKeys().Create(ctx(), k))
		for _, ident := range []string{k.ID, k.Name} {
			got, err := s.AdminKeys().Resolve(ctx(), ident)
			require.NoError(t, err, ident)
			assert.Equal(t, k, got)
		}
		_, err := s.AdminKeys().Resolve(ctx(), "KEY 1")
		assert.ErrorIs(t, err, repositories.ErrNotFound, "names match exactly")
		_, err = s.AdminKeys().Resolve(ctx(), k.Hash)
		assert.ErrorIs(t, err, repositories.ErrNotFound, "a hash is no identifier")
	})
	t.Run("IDWinsOverName", func(t *testing.T) {
		s := newStore(t)
		first, second := newAdminKey(1), newAdminKey(2)
		second.Name = first.ID
		require.NoError(t, s.AdminKeys().Create(ctx(), first))
		require.NoError(t, s.AdminKeys().Create(ctx(), second))
		got, err := s.AdminKeys().Resolve(ctx(), first.ID)
		require.NoError(t, err)
		assert.Equal(t, first, got)
	})
	t.Run("GetByHash", func(t *testing.T) {
		s := newStore(t)
		k := newAdminKey(1)
		require.NoError(t, s.AdminKeys().Create(ctx(), k))
		got, err := s.AdminKeys().GetByHash(ctx(), k.Hash)
		require.NoError(t, err)
		assert.Equal(t, k, got)
		_, err = s.AdminKeys().GetByHash(ctx(), "other")
		assert.ErrorIs(t, err, repositories.ErrNotFound)
		_, err = s.AdminKeys().GetByHash(ctx(), k.ID)
		assert.ErrorIs(t, err, repositories.ErrNotFound)
	})
	t.Run("DuplicateNameOrHashIsConflict", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.AdminKeys().Create(ctx(), newAdminKey(1)))
		sameName := newAdminKey(2)
		sameName.Name = newAdminKey(1).Name
		assert.ErrorIs(t, s.AdminKeys().Create(ctx(), sameName), repositories.ErrConflict)
		sameHash := newAdminKey(3)
		sameHash.Hash = newAdminKey(1).Hash
		assert.ErrorIs(t, s.AdminKeys().Create(ctx(), sameHash), repositories.ErrConflict)
		sameID := newAdminKey(4)
		sameID.ID = newAdminKey(1).ID
		assert.ErrorIs(t, s.AdminKeys().Create(ctx(), sameID), repositories.ErrConflict)
	})
	t.Run("ListPagesInCreationOrder", func(t *testing.T) {
		s := newStore(t)
		// Names and ids sort the other way round from creation.
		for i := 5; i >= 1; i-- {
			k := newAdminKey(i)
			k.ID = fmt.Sprintf("id-%d", 10-i)
			require.NoError(t, s.AdminKeys().Create(ctx(), k))
		}
		names := func(ks []models.AdminKey) []string {
			out := []string{}
			for _, k := range ks {
				out = append(out, k.Name)
			}
			return out
		}
		all, total, err := s.AdminKeys().List(ctx(), repositories.Page{})
		require.NoError(t, err)
		assert.Equal(t, 5, total)
		assert.Equal(t, []string{"key 5", "key 4", "key 3", "key 2", "key 1"}, names(all))
		page, total, err := s.AdminKeys().List(ctx(), repositories.Page{Limit: 2, Offset: 1})
		require.NoError(t, err)
		assert.Equal(t, 5, total)
		assert.Equal(t, []string{"key 4", "key 3"}, names(page))
		none, total, err := s.AdminKeys().List(ctx(), repositories.Page{Offset: 9})
		require.NoError(t, err)
		assert.Equal(t, 5, total)
		assert.NotNil(t, none)
		assert.Empty(t, none)
	})
	t.Run("EmptyListIsEmptySlice", func(t *testing.T) {
		s := newStore(t)
		list, total, err := s.AdminKeys().List(ctx(), repositories.Page{})
		require.NoError(t, err)
		assert.Zero(t, total)
		assert.NotNil(t, list)
	})
	t.Run("TouchLastUsedOnlyMovesForward", func(t *testing.T) {
		s := newStore(t)
		k := newAdminKey(1)
		require.NoError(t, s.AdminKeys().Create(ctx(), k))
		later, earlier := at(50), at(40)
		require.NoError(t, s.AdminKeys().TouchLastUsed(ctx(), map[string]time.Time{k.ID: later, "no-such-key": later}))
		require.NoError(t, s.AdminKeys().TouchLastUsed(ctx(), map[string]time.Time{k.ID: earlier}))
		got, err := s.AdminKeys().Resolve(ctx(), k.ID)
		require.NoError(t, err)
		require.NotNil(t, got.LastUsedAt)
		assert.Equal(t, later, *got.LastUsedAt)
	})
	t.Run("Delete", func(t *testing.T) {
		s := newStore(t)
		k1, k2 := newAdminKey(1), newAdminKey(2)
		require.NoError(t, s.AdminKeys().Create(ctx(), k1))
		require.NoError(t, s.AdminKeys().Create(ctx(), k2))
		require.NoError(t, s.AdminKeys().Delete(ctx(), k1.ID))
		_, err := s.AdminKeys().GetByHash(ctx(), k1.Hash)
		assert.ErrorIs(t, err, repositories.ErrNotFound)
		assert.ErrorIs(t, s.AdminKeys().Delete(ctx(), k1.ID), repositories.ErrNotFound)
		_, err = s.AdminKeys().GetByHash(ctx(), k2.Hash)
		assert.NoError(t, err, "the other key stays")
	})
	t.Run("CreateInRolledBackTransactionLeavesNothing", func(t *testing.T) {
		s := newStore(t)
		boom := fmt.Errorf("boom")
		err := s.InTx(ctx(), func(tx repositories.Repos) error {
			require.NoError(t, tx.AdminKeys().Create(ctx(), newAdminKey(1)))
			return boom
		})
		require.ErrorIs(t, err, boom)
		_, total, err := s.AdminKeys().List(ctx(), repositories.Page{})
		require.NoError(t, err)
		assert.Zero(t, total)
	})
}
