package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

// testPortability covers the SQL constructs whose syntax or typing differs
// between engines: upserts, booleans in expressions, NULL times, offsets
// without a limit, and lookups on optional unique columns.
func testPortability(t *testing.T, newStore Factory) {
	t.Run("SettingsPutUpserts", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Settings().Put(ctx(), models.Setting{Key: "b", Value: `{"v":1}`, UpdatedAt: at(1)}))
		require.NoError(t, s.Settings().Put(ctx(), models.Setting{Key: "a", Value: `[]`, UpdatedAt: at(2)}))
		require.NoError(t, s.Settings().Put(ctx(), models.Setting{Key: "b", Value: `{"v":2}`, UpdatedAt: at(3)}))
		got, err := s.Settings().Get(ctx(), "b")
		require.NoError(t, err)
		assert.Equal(t, models.Setting{Key: "b", Value: `{"v":2}`, UpdatedAt: at(3)}, got)
		all, err := s.Settings().List(ctx())
		require.NoError(t, err)
		assert.Equal(t, []models.Setting{{Key: "a", Value: `[]`, UpdatedAt: at(2)}, got}, all)
		_, err = s.Settings().Get(ctx(), "missing")
		assert.ErrorIs(t, err, repositories.ErrNotFound)
	})
	t.Run("TextNoBackendStoresIsNotFoundOrUnstorable", func(t *testing.T) {
		// SQLite stores NUL characters and invalid UTF-8; PostgreSQL refuses
		// them even in a lookup. Either way the caller gets a sentinel, which
		// the services turn into a 404 or a 400, never a storage failure.
		s := newStore(t)
		for _, text := range []string{"a\x00b", "bad\xffutf8"} {
			_, err := s.Configs().Resolve(ctx(), text)
			assert.True(t, errors.Is(err, repositories.ErrNotFound) || errors.Is(err, repositories.ErrUnstorable), "%q: %v", text, err)
			_, err = s.Users().Resolve(ctx(), text)
			assert.True(t, errors.Is(err, repositories.ErrNotFound) || errors.Is(err, repositories.ErrUnstorable), "%q: %v", text, err)
			err = s.Projects().Create(ctx(), models.Project{ID: "p-" + fmt.Sprint(len(text)), Name: text, CreatedAt: at(1), UpdatedAt: at(1)})
			assert.True(t, err == nil || errors.Is(err, repositories.ErrUnstorable), "%q: %v", text, err)
		}
	})
	t.Run("OffsetWithoutLimit", func(t *testing.T) {
		s := newStore(t)
		for i := 1; i <= 3; i++ {
			require.NoError(t, s.Users().Create(ctx(), newUser(i)))
		}
		users, total, err := s.Users().List(ctx(), repositories.Page{Offset: 1})
		require.NoError(t, err)
		assert.Equal(t, 3, total)
		assert.Equal(t, []models.User{newUser(2), newUser(3)}, users)
	})
	t.Run("UserEmailLookupIgnoresCase", func(t *testing.T) {
		s := newStore(t)
		u := newUser(1)
		require.NoError(t, s.Users().Create(ctx(), u))
		got, err := s.Users().Resolve(ctx(), "USER1@Example.com")
		require.NoError(t, err)
		assert.Equal(t, u, got)
		assert.ErrorIs(t, s.Users().Create(ctx(), models.User{ID: "other", Email: u.Email, CreatedAt: at(2), UpdatedAt: at(2)}),
			repositories.ErrConflict)
	})
	t.Run("APIKeyBooleansNullTimesAndPreviousHash", func(t *testing.T) {
		s := newStore(t)
		u, p := newUser(1), models.Project{ID: "p1", Name: "proj", CreatedAt: at(1), UpdatedAt: at(1)}
		require.NoError(t, s.Users().Create(ctx(), u))
		require.NoError(t, s.Projects().Create(ctx(), p))
		plain := models.APIKey{ID: "k1", Hash: "h1", Last4: "abcd", UserID: u.ID, ProjectID: p.ID, CreatedAt: at(1)}
		grace, disabledAt := at(9), at(5)
		rotated := models.APIKey{ID: "k2", Hash: "h2", Last4: "wxyz", UserID: u.ID, ProjectID: p.ID, CreatedAt: at(2),
			Disabled: true, DisabledAt: &disabledAt, PreviousHash: "h2-old", PreviousExpiresAt: &grace, RotatedAt: &disabledAt}
		require.NoError(t, s.APIKeys().Create(ctx(), plain))
		require.NoError(t, s.APIKeys().Create(ctx(), rotated))

		got, err := s.APIKeys().Get(ctx(), "k1")
		require.NoError(t, err)
		assert.Equal(t, plain, got, "NULL times stay nil, false stays false")
		got, err = s.APIKeys().GetByHash(ctx(), "h2-old")
		require.NoError(t, err)
		assert.Equal(t, rotated, got)
		_, err = s.APIKeys().GetByHash(ctx(), "nope")
		assert.ErrorIs(t, err, repositories.ErrNotFound)

		total, disabled, err := s.APIKeys().Count(ctx())
		require.NoError(t, err)
		assert.Equal(t, [2]int{2, 1}, [2]int{total, disabled})

		// last_used_at only moves forward, whatever order batches arrive in.
		require.NoError(t, s.APIKeys().TouchLastUsed(ctx(), map[string]time.Time{"k1": at(7)}))
		require.NoError(t, s.APIKeys().TouchLastUsed(ctx(), map[string]time.Time{"k1": at(6), "k2": at(8)}))
		got, err = s.APIKeys().Get(ctx(), "k1")
		require.NoError(t, err)
		require.NotNil(t, got.LastUsedAt)
		assert.Equal(t, at(7), *got.LastUsedAt)

		assert.ErrorIs(t, s.APIKeys().Create(ctx(), models.APIKey{ID: "k3", Hash: "h1", Last4: "1111", UserID: u.ID,
			ProjectID: p.ID, CreatedAt: at(3)}), repositories.ErrConflict, "hashes are unique")
		assert.ErrorIs(t, s.Users().Delete(ctx(), u.ID), repositories.ErrReferenced, "a user with keys stays")
	})
}

func newUser(i int) models.User {
	return models.User{ID: fmt.Sprintf("u%d", i), Email: fmt.Sprintf("user%d@example.com", i), CreatedAt: at(i), UpdatedAt: at(i)}
}
