package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

func newKey(i int, userID, projectID string) models.APIKey {
	return models.APIKey{ID: fmt.Sprintf("20000000-0000-4000-8000-%012d", i), Hash: fmt.Sprintf("hash-%d", i),
		Last4: fmt.Sprintf("%04d", i), UserID: userID, ProjectID: projectID, CreatedAt: at(i)}
}

func testAPIKeys(t *testing.T, newStore Factory) {
	setup := func(t *testing.T) (repositories.Store, models.Project, models.Project) {
		s := newStore(t)
		c := newConfig(1, "cfg")
		require.NoError(t, s.Configs().Create(ctx(), c))
		p1, p2 := newProject(1, "one"), newProject(2, "two")
		p1.ConfigID = c.ID
		require.NoError(t, s.Projects().Create(ctx(), p1))
		require.NoError(t, s.Projects().Create(ctx(), p2))
		for i := 1; i <= 2; i++ {
			require.NoError(t, s.Users().Create(ctx(), newUser(i)))
		}
		require.NoError(t, s.Memberships().Add(ctx(), models.Membership{ProjectID: p1.ID, UserID: newUser(1).ID, CreatedAt: at(1)}))
		return s, p1, p2
	}
	t.Run("CreateGetByIDAndHash", func(t *testing.T) {
		s, p1, _ := setup(t)
		k := newKey(1, newUser(1).ID, p1.ID)
		require.NoError(t, s.APIKeys().Create(ctx(), k))
		got, err := s.APIKeys().Get(ctx(), k.ID)
		require.NoError(t, err)
		assert.Equal(t, k, got)
		got, err = s.APIKeys().GetByHash(ctx(), k.Hash)
		require.NoError(t, err)
		assert.Equal(t, k, got)
		_, err = s.APIKeys().Get(ctx(), "missing")
		assert.ErrorIs(t, err, repositories.ErrNotFound)
		_, err = s.APIKeys().GetByHash(ctx(), k.ID)
		assert.ErrorIs(t, err, repositories.ErrNotFound)
	})
	t.Run("ReferencesAreChecked", func(t *testing.T) {
		s, p1, _ := setup(t)
		assert.ErrorIs(t, s.APIKeys().Create(ctx(), newKey(1, "ghost", p1.ID)), repositories.ErrReferenced)
		assert.ErrorIs(t, s.APIKeys().Create(ctx(), newKey(2, newUser(1).ID, "ghost")), repositories.ErrReferenced)
		require.NoError(t, s.APIKeys().Create(ctx(), newKey(3, newUser(1).ID, p1.ID)))
		assert.ErrorIs(t, s.APIKeys().Create(ctx(), newKey(3, newUser(2).ID, p1.ID)), repositories.ErrConflict, "duplicate id")
		assert.ErrorIs(t, s.Users().Delete(ctx(), newUser(1).ID), repositories.ErrReferenced)
		assert.ErrorIs(t, s.Projects().Delete(ctx(), p1.ID), repositories.ErrReferenced)
	})
	t.Run("UpdateRotatesAndGraceHashFindsTheKey", func(t *testing.T) {
		s, p1, _ := setup(t)
		k := newKey(1, newUser(1).ID, p1.ID)
		require.NoError(t, s.APIKeys().Create(ctx(), k))
		grace, rotated, disabled := at(50), at(10), at(11)
		k.PreviousHash, k.PreviousExpiresAt, k.RotatedAt = k.Hash, &grace, &rotated
		k.Hash, k.Last4, k.Disabled, k.DisabledAt = "hash-new", "new4", true, &disabled
		require.NoError(t, s.APIKeys().Update(ctx(), k))
		for _, h := range []string{"hash-new", "hash-1"} {
			got, err := s.APIKeys().GetByHash(ctx(), h)
			require.NoError(t, err, h)
			assert.Equal(t, k, got)
		}
		k.PreviousHash, k.PreviousExpiresAt = "", nil
		require.NoError(t, s.APIKeys().Update(ctx(), k))
		_, err := s.APIKeys().GetByHash(ctx(), "hash-1")
		assert.ErrorIs(t, err, repositories.ErrNotFound)
		assert.ErrorIs(t, s.APIKeys().Update(ctx(), newKey(9, newUser(1).ID, p1.ID)), repositories.ErrNotFound)
	})
	t.Run("PrincipalReadsEveryCommit", func(t *testing.T) {
		// Verification reads the principal on every request, with its
		// statement kept prepared: each read must see the last commit, on
		// whichever pooled connection it runs.
		s, p1, _ := setup(t)
		k := newKey(1, newUser(1).ID, p1.ID)
		require.NoError(t, s.APIKeys().Create(ctx(), k))
		readAll := func(check func(models.KeyPrincipal, error)) {
			var wg sync.WaitGroup
			results := make([]models.KeyPrincipal, 8)
			errs := make([]error, 8)
			for i := range 8 {
				wg.Go(func() { results[i], errs[i] = s.APIKeys().GetPrincipal(ctx(), k.Hash) })
			}
			wg.Wait()
			for i := range 8 {
				check(results[i], errs[i])
			}
		}
		readAll(func(pr models.KeyPrincipal, err error) {
			require.NoError(t, err)
			assert.True(t, pr.Member)
			assert.False(t, pr.Key.Disabled)
		})
		disabled := at(5)
		k.Disabled, k.DisabledAt = true, &disabled
		require.NoError(t, s.APIKeys().Update(ctx(), k))
		readAll(func(pr models.KeyPrincipal, err error) {
			require.NoError(t, err)
			assert.True(t, pr.Key.Disabled, "a disabled key reads as disabled at once")
		})
		require.NoError(t, s.Memberships().Remove(ctx(), p1.ID, newUser(1).ID))
		readAll(func(pr models.KeyPrincipal, err error) {
			require.NoError(t, err)
			assert.False(t, pr.Member, "a removed member reads as removed at once")
		})
		require.NoError(t, s.InTx(ctx(), func(tx repositories.Repos) error {
			require.NoError(t, tx.APIKeys().Delete(ctx(), k.ID))
			_, err := tx.APIKeys().GetPrincipal(ctx(), k.Hash)
			assert.ErrorIs(t, err, repositories.ErrNotFound, "a transaction reads its own writes")
			return nil
		}))
		readAll(func(_ models.KeyPrincipal, err error) {
			assert.ErrorIs(t, err, repositories.ErrNotFound, "a deleted key is gone at once")
		})
	})
	t.Run("DisabledReasonIsKeptEverywhere", func(t *testing.T) {
		s, p1, _ := setup(t)
		k := newKey(1, newUser(1).ID, p1.ID)
		disabledAt := at(3)
		k.Disabled, k.DisabledAt, k.DisabledReason = true, &disabledAt, models.DisabledWeakSecret
		plain := newKey(2, newUser(1).ID, p1.ID)
		require.NoError(t, s.APIKeys().Create(ctx(), k, plain))
		got, err := s.APIKeys().Get(ctx(), k.ID)
		require.NoError(t, err)
		assert.Equal(t, k, got)
		info, err := s.APIKeys().GetInfo(ctx(), k.ID)
		require.NoError(t, err)
		assert.Equal(t, k, info.APIKey)
		pr, err := s.APIKeys().GetPrincipal(ctx(), k.Hash)
		require.NoError(t, err)
		assert.Equal(t, k, pr.Key)
		got, err = s.APIKeys().Get(ctx(), plain.ID)
		require.NoError(t, err)
		assert.Empty(t, got.DisabledReason, "no reason unless one is given")

		k.DisabledReason, k.Hash = "", "hash-rotated"
		require.NoError(t, s.APIKeys().Update(ctx(), k))
		got, err = s.APIKeys().Get(ctx(), k.ID)
		require.NoError(t, err)
		assert.Equal(t, k, got, "an update clears the reason")
		list, _, err := s.APIKeys().List(ctx(), repositories.Page{})
		require.NoError(t, err)
		assert.Equal(t, []models.APIKey{k, plain}, list)
	})
	t.Run("ListInfoFiltersPagesAndJoins", func(t *testing.T) {
		s, p1, p2 := setup(t)
		u1, u2 := newUser(1), newUser(2)
		k1, k2, k3 := newKey(1, u1.ID, p1.ID), newKey(2, u2.ID, p1.ID), newKey(3, u1.ID, p2.ID)
		for _, k := range []models.APIKey{k1, k2, k3} {
			require.NoError(t, s.APIKeys().Create(ctx(), k))
		}
		all, total, err := s.APIKeys().ListInfo(ctx(), repositories.APIKeyFilter{}, repositories.Page{})
		require.NoError(t, err)
		assert.Equal(t, 3, total)
		assert.Equal(t, []models.APIKeyInfo{
			{APIKey: k1, UserEmail: u1.Email, ProjectName: "one", ProjectConfigID: p1.ConfigID, Member: true},
			{APIKey: k2, UserEmail: u2.Email, ProjectName: "one", ProjectConfigID: p1.ConfigID},
			{APIKey: k3, UserEmail: u1.Email, ProjectName: "two"},
		}, all)

		mine, total, err := s.APIKeys().ListInfo(ctx(), repositories.APIKeyFilter{UserID: u1.ID}, repositories.Page{Limit: 1, Offset: 1})
		require.NoError(t, err)
		assert.Equal(t, 2, total)
		assert.Equal(t, []models.APIKeyInfo{all[2]}, mine)
		both, total, err := s.APIKeys().ListInfo(ctx(), repositories.APIKeyFilter{UserID: u1.ID, ProjectID: p1.ID}, repositories.Page{})
		require.NoError(t, err)
		assert.Equal(t, 1, total)
		assert.Equal(t, []models.APIKeyInfo{all[0]}, both)

		info, err := s.APIKeys().GetInfo(ctx(), k2.ID)
		require.NoError(t, err)
		assert.Equal(t, all[1], info)
		_, err = s.APIKeys().GetInfo(ctx(), "missing")
		assert.ErrorIs(t, err, repositories.ErrNotFound)

		byUser, err := s.APIKeys().ListByUser(ctx(), u1.ID)
		require.NoError(t, err)
		assert.Equal(t, []models.APIKey{k1, k3}, byUser)
		n, err := s.APIKeys().CountByProject(ctx(), p1.ID)
		require.NoError(t, err)
		assert.Equal(t, 2, n)
	})
	t.Run("InfoBatchesWalkTheListFromACursor", func(t *testing.T) {
		s, p1, p2 := setup(t)
		u1, u2 := newUser(1), newUser(2)
		var keys []models.APIKey
		for i := 1; i <= 7; i++ {
			k := newKey(i, u1.ID, p1.ID)
			if i%3 == 0 {
				k = newKey(i, u2.ID, p2.ID)
			}
			keys = append(keys, k)
			require.NoError(t, s.APIKeys().Create(ctx(), k))
		}
		all, _, err := s.APIKeys().ListInfo(ctx(), repositories.APIKeyFilter{}, repositories.Page{})
		require.NoError(t, err)
		walk := func(f repositories.APIKeyFilter, skip, size int) []models.APIKeyInfo {
			var out []models.APIKeyInfo
			var after repositories.Cursor
			for {
				batch, next, err := s.APIKeys().InfoBatch(ctx(), f, after, skip, size)
				require.NoError(t, err)
				if len(batch) == 0 {
					assert.Equal(t, after, next, "an empty batch keeps the cursor")
					return out
				}
				out, after, skip = append(out, batch...), next, 0
			}
		}
		assert.Equal(t, all, walk(repositories.APIKeyFilter{}, 0, 2), "batches join up to the whole list")
		assert.Equal(t, all[3:], walk(repositories.APIKeyFilter{}, 3, 3), "skip is the offset of the first batch only")
		mine := walk(repositories.APIKeyFilter{UserID: u1.ID}, 0, 2)
		assert.Equal(t, []models.APIKeyInfo{all[0], all[1], all[3], all[4], all[6]}, mine)
		assert.Empty(t, walk(repositories.APIKeyFilter{UserID: u1.ID, ProjectID: p2.ID}, 0, 2))
		n, err := s.APIKeys().CountInfo(ctx(), repositories.APIKeyFilter{UserID: u2.ID})
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		n, err = s.APIKeys().CountInfo(ctx(), repositories.APIKeyFilter{})
		require.NoError(t, err)
		assert.Equal(t, 7, n)

		// Between batches: a deleted key not yet read is left out, a new one
		// comes at the end, none comes twice.
		first, cursor, err := s.APIKeys().InfoBatch(ctx(), repositories.APIKeyFilter{}, 0, 0, 3)
		require.NoError(t, err)
		assert.Equal(t, all[:3], first)
		require.NoError(t, s.APIKeys().Delete(ctx(), keys[0].ID))
		require.NoError(t, s.APIKeys().Delete(ctx(), keys[4].ID))
		late := newKey(8, u1.ID, p1.ID)
		require.NoError(t, s.APIKeys().Create(ctx(), late))
		rest, _, err := s.APIKeys().InfoBatch(ctx(), repositories.APIKeyFilter{}, cursor, 0, 100)
		require.NoError(t, err)
		assert.Equal(t, []string{keys[3].ID, keys[5].ID, keys[6].ID, late.ID}, infoIDs(rest))
	})
	t.Run("GetPrincipalJoinsWhatVerificationNeeds", func(t *testing.T) {
		s, p1, p2 := setup(t)
		u1, u2 := newUser(1), newUser(2)
		member := newKey(1, u1.ID, p1.ID)
		outsider := newKey(2, u2.ID, p1.ID)
		noConfig := newKey(3, u1.ID, p2.ID)
		grace := at(40)
		member.PreviousHash, member.PreviousExpiresAt = "hash-1-old", &grace
		for _, k := range []models.APIKey{member, outsider, noConfig} {
			require.NoError(t, s.APIKeys().Create(ctx(), k))
		}
		cfg, err := s.Configs().Resolve(ctx(), p1.ConfigID)
		require.NoError(t, err)
		for _, h := range []string{"hash-1", "hash-1-old"} {
			pr, err := s.APIKeys().GetPrincipal(ctx(), h)
			require.NoError(t, err, h)
			assert.Equal(t, models.KeyPrincipal{Key: member, User: &u1, Project: &p1, Member: true, Config: &cfg}, pr)
		}
		pr, err := s.APIKeys().GetPrincipal(ctx(), "hash-2")
		require.NoError(t, err)
		assert.Equal(t, models.KeyPrincipal{Key: outsider, User: &u2, Project: &p1, Config: &cfg}, pr, "not a member")
		pr, err = s.APIKeys().GetPrincipal(ctx(), "hash-3")
		require.NoError(t, err)
		assert.Equal(t, models.KeyPrincipal{Key: noConfig, User: &u1, Project: &p2}, pr, "no configuration")
		_, err = s.APIKeys().GetPrincipal(ctx(), "nope")
		assert.ErrorIs(t, err, repositories.ErrNotFound)
	})
	t.Run("DeleteOneAndAllOfUser", func(t *testing.T) {
		s, p1, p2 := setup(t)
		u1 := newUser(1)
		require.NoError(t, s.APIKeys().Create(ctx(), newKey(1, u1.ID, p1.ID)))
		require.NoError(t, s.APIKeys().Create(ctx(), newKey(2, u1.ID, p2.ID)))
		require.NoError(t, s.APIKeys().Create(ctx(), newKey(3, newUser(2).ID, p1.ID)))
		require.NoError(t, s.APIKeys().Delete(ctx(), newKey(3, "", "").ID))
		assert.ErrorIs(t, s.APIKeys().Delete(ctx(), newKey(3, "", "").ID), repositories.ErrNotFound)
		require.NoError(t, s.APIKeys().DeleteAllOfUser(ctx(), u1.ID))
		total, disabled, err := s.APIKeys().Count(ctx())
		require.NoError(t, err)
		assert.Equal(t, [2]int{0, 0}, [2]int{total, disabled})
	})
}

func infoIDs(infos []models.APIKeyInfo) []string {
	ids := make([]string, len(infos))
	for i, info := range infos {
		ids[i] = info.ID
	}
	return ids
}
