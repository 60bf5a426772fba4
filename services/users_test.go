package services_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/errs"
)

// failingStore fails the nth write made inside a transaction, so that a
// multi-step operation can be cut in the middle.
type failingStore struct {
	repositories.Store
	writes *int
	failAt int
}

var errInjected = errors.New("injected write failure")

func (s failingStore) write() error {
	*s.writes++
	if *s.writes == s.failAt {
		return errInjected
	}
	return nil
}

func (s failingStore) InTx(ctx context.Context, fn func(tx repositories.Repos) error) error {
	return s.Store.InTx(ctx, func(tx repositories.Repos) error { return fn(failingRepos{Repos: tx, s: s}) })
}

type failingRepos struct {
	repositories.Repos
	s failingStore
}

func (r failingRepos) APIKeys() repositories.APIKeyRepository {
	return failingKeys{r.Repos.APIKeys(), r.s}
}
func (r failingRepos) Memberships() repositories.MembershipRepository {
	return failingMemberships{r.Repos.Memberships(), r.s}
}
func (r failingRepos) Users() repositories.UserRepository { return failingUsers{r.Repos.Users(), r.s} }

type failingKeys struct {
	repositories.APIKeyRepository
	s failingStore
}

func (k failingKeys) DeleteAllOfUser(ctx context.Context, id string) error {
	if err := k.s.write(); err != nil {
		return err
	}
	return k.APIKeyRepository.DeleteAllOfUser(ctx, id)
}

type failingMemberships struct {
	repositories.MembershipRepository
	s failingStore
}

func (m failingMemberships) RemoveAllOfUser(ctx context.Context, id string) error {
	if err := m.s.write(); err != nil {
		return err
	}
	return m.MembershipRepository.RemoveAllOfUser(ctx, id)
}

type failingUsers struct {
	repositories.UserRepository
	s failingStore
}

func (u failingUsers) Delete(ctx context.Context, id string) error {
	if err := u.s.write(); err != nil {
		return err
	}
	return u.UserRepository.Delete(ctx, id)
}

func TestForcedUserDeleteIsAllOrNothing(t *testing.T) {
	t.Parallel()
	onKeyBackends(t, func(t *testing.T, newKeyCore func(t *testing.T) *keyCore) {
		ctx := context.Background()
		for failAt := 1; failAt <= 3; failAt++ {
			k := newKeyCore(t)
			key := k.generate(t, "")
			writes := 0
			files, err := confine.NewDataDir(t.TempDir())
			require.NoError(t, err)
			svc := services.New(failingStore{Store: k.store, writes: &writes, failAt: failAt}, files, k.clock.Now, sealing.NewEphemeralSealer())
			_, err = svc.Users.Delete(ctx, "alice@example.com", true)
			require.ErrorIs(t, err, errInjected, "write %d", failAt)
			assert.Equal(t, errs.KindInternal, errs.KindOf(err))
			assert.Equal(t, failAt, writes)

			u, err := k.svc.Users.Get(ctx, "alice@example.com")
			require.NoError(t, err, "the user stays (failure at write %d)", failAt)
			assert.Len(t, u.Projects, 1, "the membership stays")
			assert.Len(t, u.APIKeys, 1, "the key stays")
			_, err = k.svc.APIKeys.Verify(ctx, key.Secret)
			require.NoError(t, err)
			require.NoError(t, svc.Close())
		}
		k := newKeyCore(t)
		k.generate(t, "")
		d, err := k.svc.Users.Delete(ctx, "alice@example.com", true)
		require.NoError(t, err)
		assert.Equal(t, [2]int{1, 1}, [2]int{d.APIKeys, d.Memberships})
	})
}

func TestUserServiceDeleteWithoutForceIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k := newKeyCore(t)
	_, err := k.svc.Users.Delete(ctx, "alice@example.com", false)
	assert.Equal(t, errs.KindConflict, errs.KindOf(err), "a membership is enough")
	_, err = k.svc.Projects.RemoveMember(ctx, "p", "alice@example.com")
	require.NoError(t, err)
	_, err = k.svc.Users.Delete(ctx, "ALICE@example.com", false)
	require.NoError(t, err)
}
