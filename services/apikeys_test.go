package services_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
	"github.com/securemcp/gateway/repositories/timed"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/access"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/keymaterial"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// opCounter counts the store operations seen by the timed decorator.
type opCounter struct {
	mu  sync.Mutex
	ops map[string]int
}

func (c *opCounter) ObserveStore(op, _ string, _ time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ops[op]++
}

func (c *opCounter) count(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ops[op]
}

// keyCore is services over a timed store, with a fake clock, a configuration
// "cfg", a project "p" using it and a member alice. other is a second store on
// the same database, as a second gateway instance would open it.
type keyCore struct {
	svc   *services.Services
	store repositories.Store
	other repositories.Store
	clock *fakeClock
	ops   *opCounter
}

// newKeyCore opens a keyCore on SQLite.
func newKeyCore(t *testing.T) *keyCore {
	t.Helper()
	return newKeyCoreOn(t, sqltest.Backends()[0])
}

// onKeyBackends runs a test on a keyCore of every available backend.
func onKeyBackends(t *testing.T, test func(t *testing.T, newKeyCore func(t *testing.T) *keyCore)) {
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			test(t, func(t *testing.T) *keyCore { return newKeyCoreOn(t, b) })
		})
	}
}

func newKeyCoreOn(t *testing.T, b sqltest.Backend) *keyCore {
	t.Helper()
	raw, other := b.OpenPair(t)
	ops := &opCounter{ops: map[string]int{}}
	store := timed.Wrap(raw, ops)
	files, err := confine.NewDataDir(filepath.Join(t.TempDir(), "data"))
	require.NoError(t, err)
	clock := newFakeClock()
	svc := services.New(store, files, clock.Now, sealing.NewEphemeralSealer())
	t.Cleanup(func() { _ = svc.Close() })
	ctx := context.Background()
	_, err = svc.Configs.Create(ctx, "cfg")
	require.NoError(t, err)
	_, err = svc.Projects.Create(ctx, "p")
	require.NoError(t, err)
	_, _, err = svc.Projects.AssignConfig(ctx, "p", "", "cfg")
	require.NoError(t, err)
	_, err = svc.Users.Create(ctx, "alice@example.com")
	require.NoError(t, err)
	_, err = svc.Projects.AddMember(ctx, "p", "", "alice@example.com")
	require.NoError(t, err)
	return &keyCore{svc: svc, store: store, other: other, clock: clock, ops: ops}
}

func (k *keyCore) generate(t *testing.T, expiresAt string) access.IssuedKey {
	t.Helper()
	key, err := k.svc.APIKeys.Generate(context.Background(), "alice@example.com", "", "p", expiresAt)
	require.NoError(t, err)
	return key
}

func assertRefused(t *testing.T, err error, reason access.Reason) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, errs.KindUnauthorized, errs.KindOf(err), "%v", err)
	assert.Equal(t, reason, access.RefusalReason(err), "%v", err)
	assert.NotContains(t, err.Error(), "smg_", "a refusal never carries the secret")
}

func TestVerifyAcceptsAValidKey(t *testing.T) {
	t.Parallel()
	onKeyBackends(t, func(t *testing.T, newKeyCore func(t *testing.T) *keyCore) {
		k := newKeyCore(t)
		key := k.generate(t, "")
		v, err := k.svc.APIKeys.Verify(context.Background(), key.Secret)
		require.NoError(t, err)
		assert.Equal(t, "alice@example.com", v.User.Email)
		assert.Equal(t, "p", v.Project.Name)
		assert.Equal(t, "cfg", v.Config.Name)
		assert.Equal(t, key.Key.ID, v.Key.ID)
	})
}

func TestVerifyRefusesMalformedSecretsWithoutALookup(t *testing.T) {
	t.Parallel()
	k := newKeyCore(t)
	key := k.generate(t, "")
	s := key.Secret
	typo := []byte(s)
	typo[20] ^= 0x01 // another base62 character (letters and digits stay in the alphabet)
	for name, secret := range map[string]string{
		"empty":            "",
		"prefix only":      "smg_",
		"other prefix":     "sk_" + s[4:],
		"prefix typo":      "smh_" + s[4:],
		"no prefix":        s[4:],
		"one char typo":    string(typo),
		"truncated":        s[:len(s)-1],
		"extended":         s + "0",
		"bad checksum":     s[:len(s)-6] + "000000",
		"outside alphabet": s[:10] + "-" + s[11:],
		"key id":           key.Key.ID,
		"legacy too short": "zCSpauESIuR6yJ4Z24lhhoGFV8i8Xhc",
		"legacy bad char":  "zCSpauESIuR6yJ4Z24lhhoGFV8i8XhciSHh2wp9UmqiBjFTE 5A8Rqs9kzns57kj",
		"placeholder":      "UNIQUE_GATEWAY_KEY_FOR_THIS_USER_OF_THE_GATEWAY",
		"repetitive":       strings.Repeat("abc", 16),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := k.svc.APIKeys.Verify(context.Background(), secret)
			assertRefused(t, err, access.ReasonMalformed)
		})
	}
	assert.Zero(t, k.ops.count("api_keys.get_principal"), "malformed secrets never reach the store")
	// 64 URL-safe characters are taken for a secret imported from the original
	// system: looked up, and unknown. The stored hash is no secret.
	for _, secret := range []string{keymaterial.HashAPIKeySecret(s)} {
		_, err := k.svc.APIKeys.Verify(context.Background(), secret)
		assertRefused(t, err, access.ReasonUnknown)
	}
}

func TestVerifyAcceptsKeysImportedFromTheOriginalSystem(t *testing.T) {
	t.Parallel()
	onKeyBackends(t, func(t *testing.T, newKeyCore func(t *testing.T) *keyCore) {
		ctx := context.Background()
		k := newKeyCore(t)
		legacy := "zCSpauESIuR6yJ4Z24lhhoGFV8i8XhciSHh2wp9UmqiBjFTEl5A8Rqs9kzns57kj"
		alice, err := k.svc.Users.Get(ctx, "alice@example.com")
		require.NoError(t, err)
		p, err := k.svc.Projects.Get(ctx, "p")
		require.NoError(t, err)
		require.NoError(t, k.store.APIKeys().Create(ctx, models.APIKey{ID: "imported", Hash: keymaterial.HashAPIKeySecret(legacy),
			Last4: "57kj", UserID: alice.ID, ProjectID: p.ID, CreatedAt: k.clock.Now()}))
		v, err := k.svc.APIKeys.Verify(ctx, legacy)
		require.NoError(t, err)
		assert.Equal(t, "imported", v.Key.ID)
		d, err := k.svc.APIKeys.Get(ctx, legacy)
		require.NoError(t, err, "routes accept the imported secret too")
		assert.Equal(t, "smg_…57kj", d.Masked)
		rotated, err := k.svc.APIKeys.Rotate(ctx, legacy, 0)
		require.NoError(t, err)
		assert.Regexp(t, `^smg_`, rotated.Secret, "rotation moves it to the checksummed format")
		_, err = k.svc.APIKeys.Verify(ctx, legacy)
		assertRefused(t, err, access.ReasonUnknown)
	})
}

func TestVerifyRefusalReasons(t *testing.T) {
	t.Parallel()
	onKeyBackends(t, func(t *testing.T, newKeyCore func(t *testing.T) *keyCore) {
		ctx := context.Background()
		t.Run("unknown", func(t *testing.T) {
			k := newKeyCore(t)
			key := k.generate(t, "")
			_, err := k.svc.APIKeys.Delete(ctx, key.Key.ID)
			require.NoError(t, err)
			_, err = k.svc.APIKeys.Verify(ctx, key.Secret)
			assertRefused(t, err, access.ReasonUnknown)
		})
		t.Run("disabled, and enabled again", func(t *testing.T) {
			k := newKeyCore(t)
			key := k.generate(t, "")
			_, err := k.svc.APIKeys.Disable(ctx, key.Key.ID)
			require.NoError(t, err)
			_, err = k.svc.APIKeys.Verify(ctx, key.Secret)
			assertRefused(t, err, access.ReasonDisabled)
			_, err = k.svc.APIKeys.Enable(ctx, key.Secret)
			require.NoError(t, err)
			_, err = k.svc.APIKeys.Verify(ctx, key.Secret)
			require.NoError(t, err)
		})
		t.Run("expired", func(t *testing.T) {
			k := newKeyCore(t)
			key := k.generate(t, k.clock.Now().Add(time.Hour).Format(time.RFC3339))
			k.clock.Advance(59 * time.Minute)
			_, err := k.svc.APIKeys.Verify(ctx, key.Secret)
			require.NoError(t, err, "valid until expires_at")
			k.clock.Advance(time.Minute)
			_, err = k.svc.APIKeys.Verify(ctx, key.Secret)
			assertRefused(t, err, access.ReasonExpired)
			listing, err := k.svc.APIKeys.ListOfUser(ctx, "alice@example.com", "", repositories.Page{})
			require.NoError(t, err)
			views, err := listing.Collect(ctx)
			require.NoError(t, err)
			assert.Equal(t, access.ReasonExpired, views[0].Inactive)
		})
		t.Run("not a member any more, and member again", func(t *testing.T) {
			k := newKeyCore(t)
			key := k.generate(t, "")
			m, err := k.svc.Projects.RemoveMember(ctx, "p", "alice@example.com")
			require.NoError(t, err)
			assert.Equal(t, 1, m.Keys)
			_, err = k.svc.APIKeys.Verify(ctx, key.Secret)
			assertRefused(t, err, access.ReasonNotMember)
			d, err := k.svc.APIKeys.Get(ctx, key.Key.ID)
			require.NoError(t, err)
			assert.Equal(t, access.ReasonNotMember, d.Inactive, "the key stays and says why")
			_, err = k.svc.Projects.AddMember(ctx, "p", "", "alice@example.com")
			require.NoError(t, err)
			_, err = k.svc.APIKeys.Verify(ctx, key.Secret)
			require.NoError(t, err)
		})
		t.Run("all members removed", func(t *testing.T) {
			k := newKeyCore(t)
			key := k.generate(t, "")
			_, _, err := k.svc.Projects.RemoveAllMembers(ctx, "p")
			require.NoError(t, err)
			_, err = k.svc.APIKeys.Verify(ctx, key.Secret)
			assertRefused(t, err, access.ReasonNotMember)
		})
		t.Run("no configuration", func(t *testing.T) {
			k := newKeyCore(t)
			key := k.generate(t, "")
			_, err := k.svc.Projects.UnassignConfig(ctx, "p")
			require.NoError(t, err)
			_, err = k.svc.APIKeys.Verify(ctx, key.Secret)
			assertRefused(t, err, access.ReasonNoConfig)
		})
		t.Run("user or project gone", func(t *testing.T) {
			// The schema forbids deleting a user or project that keys reference; a
			// store that lost them anyway must still not authenticate.
			for _, tc := range []struct {
				gone   string
				reason access.Reason
			}{{"users", access.ReasonUserMissing}, {"projects", access.ReasonProjectMissing}} {
				k := newKeyCore(t)
				key := k.generate(t, "")
				files, err := confine.NewDataDir(t.TempDir())
				require.NoError(t, err)
				svc := services.New(losingStore{Store: k.store, gone: tc.gone}, files, k.clock.Now, sealing.NewEphemeralSealer())
				_, err = svc.APIKeys.Verify(ctx, key.Secret)
				assertRefused(t, err, tc.reason)
				require.NoError(t, svc.Close())
			}
		})
	})
}

// losingStore answers key lookups as if the key's user or project had vanished.
type losingStore struct {
	repositories.Store
	gone string
}

func (s losingStore) APIKeys() repositories.APIKeyRepository {
	return losingKeys{s.Store.APIKeys(), s.gone}
}

type losingKeys struct {
	repositories.APIKeyRepository
	gone string
}

func (k losingKeys) GetPrincipal(ctx context.Context, hash string) (models.KeyPrincipal, error) {
	pr, err := k.APIKeyRepository.GetPrincipal(ctx, hash)
	if k.gone == "users" {
		pr.User = nil
	} else {
		pr.Project = nil
	}
	return pr, err
}

func TestVerifyAfterRotation(t *testing.T) {
	t.Parallel()
	onKeyBackends(t, func(t *testing.T, newKeyCore func(t *testing.T) *keyCore) {
		ctx := context.Background()
		k := newKeyCore(t)
		key := k.generate(t, "")

		now, err := k.svc.APIKeys.Rotate(ctx, key.Secret, 0)
		require.NoError(t, err)
		assert.Equal(t, key.Key.ID, now.Key.ID)
		_, err = k.svc.APIKeys.Verify(ctx, key.Secret)
		assertRefused(t, err, access.ReasonUnknown)
		_, err = k.svc.APIKeys.Verify(ctx, now.Secret)
		require.NoError(t, err)

		graced, err := k.svc.APIKeys.Rotate(ctx, key.Key.ID, 60)
		require.NoError(t, err)
		for _, s := range []string{now.Secret, graced.Secret} {
			_, err = k.svc.APIKeys.Verify(ctx, s)
			require.NoError(t, err, "both secrets verify during the grace period")
		}
		got, err := k.svc.APIKeys.Get(ctx, now.Secret)
		require.NoError(t, err, "during the grace period the old secret still names its key")
		assert.Equal(t, key.Key.ID, got.ID)
		k.clock.Advance(60 * time.Second)
		_, err = k.svc.APIKeys.Verify(ctx, now.Secret)
		assertRefused(t, err, access.ReasonRotated)
		_, err = k.svc.APIKeys.Get(ctx, now.Secret)
		assert.Equal(t, errs.KindNotFound, errs.KindOf(err), "after it, the old secret names nothing")
		_, err = k.svc.APIKeys.Disable(ctx, now.Secret)
		assert.Equal(t, errs.KindNotFound, errs.KindOf(err), "and manages nothing")
		_, err = k.svc.APIKeys.Verify(ctx, graced.Secret)
		require.NoError(t, err)

		_, err = k.svc.APIKeys.Disable(ctx, key.Key.ID)
		require.NoError(t, err)
		again, err := k.svc.APIKeys.Rotate(ctx, key.Key.ID, 60)
		require.NoError(t, err)
		assert.True(t, again.Key.Disabled, "rotation keeps the disabled state")
		for _, s := range []string{graced.Secret, again.Secret} {
			_, err = k.svc.APIKeys.Verify(ctx, s)
			assertRefused(t, err, access.ReasonDisabled)
		}
		_, err = k.svc.APIKeys.Rotate(ctx, key.Key.ID, 7*24*3600+1)
		assert.Equal(t, errs.KindInvalid, errs.KindOf(err))
	})
}

func TestVerifySeesChangesMadeByAnotherInstance(t *testing.T) {
	t.Parallel()
	onKeyBackends(t, func(t *testing.T, newKeyCore func(t *testing.T) *keyCore) {
		ctx := context.Background()
		k := newKeyCore(t)
		key := k.generate(t, "")
		// A second instance on the same database.
		files, err := confine.NewDataDir(t.TempDir())
		require.NoError(t, err)
		svc2 := services.New(k.other, files, k.clock.Now, sealing.NewEphemeralSealer())
		t.Cleanup(func() { _ = svc2.Close() })

		_, err = svc2.APIKeys.Verify(ctx, key.Secret)
		require.NoError(t, err)
		_, err = k.svc.APIKeys.Disable(ctx, key.Key.ID)
		require.NoError(t, err)
		_, err = svc2.APIKeys.Verify(ctx, key.Secret)
		assertRefused(t, err, access.ReasonDisabled)
	})
}

func TestVerifyRecordsLastUseInBatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k := newKeyCore(t)
	key := k.generate(t, "")
	var wg sync.WaitGroup
	started := time.Now()
	for range 8 {
		wg.Go(func() {
			for range 50 {
				_, err := k.svc.APIKeys.Verify(ctx, key.Secret)
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	// One write per flush interval elapsed, however slow the machine (-race on
	// a loaded CI host can take several intervals for these 400 calls).
	flushes := 1 + int(time.Since(started)/access.LastUsedFlushInterval)
	assert.LessOrEqual(t, k.ops.count("api_keys.touch_last_used"), flushes, "400 verifications are not 400 writes")
	k.clock.Advance(time.Minute)
	_, err := k.svc.APIKeys.Verify(ctx, key.Secret)
	require.NoError(t, err)
	require.NoError(t, k.svc.Close())
	assert.LessOrEqual(t, k.ops.count("api_keys.touch_last_used"), 1+int(time.Since(started)/access.LastUsedFlushInterval)+1)
	stored, err := k.store.APIKeys().Get(ctx, key.Key.ID)
	require.NoError(t, err)
	require.NotNil(t, stored.LastUsedAt)
	assert.Equal(t, k.clock.Now(), *stored.LastUsedAt, "the latest use wins")
}

func TestVerifyFlushesLastUseWithinAboutASecond(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k := newKeyCore(t)
	key := k.generate(t, "")
	_, err := k.svc.APIKeys.Verify(ctx, key.Secret)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		stored, err := k.store.APIKeys().Get(ctx, key.Key.ID)
		return err == nil && stored.LastUsedAt != nil
	}, 3*access.LastUsedFlushInterval, 50*time.Millisecond)
}

// A project's or key's configuration is read after the project or key; when a
// concurrent unassign and delete removes it in between, readers see the state
// after that change (no configuration), not a storage failure.
func TestConfigurationVanishingBetweenReadsIsNoConfiguration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k := newKeyCore(t)
	key := k.generate(t, "")
	files, err := confine.NewDataDir(t.TempDir())
	require.NoError(t, err)
	svc := services.New(vanishedConfigStore{k.store}, files, k.clock.Now, sealing.NewEphemeralSealer())
	t.Cleanup(func() { _ = svc.Close() })

	p, err := svc.Projects.Get(ctx, "p")
	require.NoError(t, err)
	assert.Nil(t, p.Config)
	_, err = svc.Projects.Config(ctx, "p")
	assert.Equal(t, errs.KindNotFound, errs.KindOf(err), "%v", err)
	d, err := svc.APIKeys.Get(ctx, key.Key.ID)
	require.NoError(t, err)
	assert.Nil(t, d.Config)
	_, err = svc.Projects.Export(ctx, "p", "p.json")
	require.NoError(t, err)
}

// vanishedConfigStore answers every configuration lookup as if it had just
// been deleted.
type vanishedConfigStore struct{ repositories.Store }

func (s vanishedConfigStore) Configs() repositories.ConfigRepository {
	return vanishedConfigs{s.Store.Configs()}
}

type vanishedConfigs struct{ repositories.ConfigRepository }

func (vanishedConfigs) Resolve(context.Context, string) (models.Config, error) {
	return models.Config{}, repositories.ErrNotFound
}
