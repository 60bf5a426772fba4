package services_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/internal/actor"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services/access"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/roles"
)

func createAdminKey(t *testing.T, k *keyCore, name, role string) access.IssuedAdminKey {
	t.Helper()
	issued, err := k.svc.AdminKeys.Create(context.Background(), access.NewAdminKey{Name: name, Role: role})
	require.NoError(t, err)
	return issued
}

func TestAdminKeyIsShownOnceAndStoredHashed(t *testing.T) {
	onKeyBackends(t, func(t *testing.T, newKeyCore func(t *testing.T) *keyCore) {
		k := newKeyCore(t)
		issued := createAdminKey(t, k, "ci", "operator")
		assert.True(t, strings.HasPrefix(issued.Secret, access.AdminKeyPrefix))
		assert.Len(t, issued.Secret, len(access.AdminKeyPrefix)+43+6)
		sum := sha256.Sum256([]byte(issued.Secret))
		stored, _, err := k.store.AdminKeys().List(context.Background(), repositories.Page{})
		require.NoError(t, err)
		require.Len(t, stored, 1)
		assert.Equal(t, hex.EncodeToString(sum[:]), stored[0].Hash)
		for _, field := range []string{stored[0].ID, stored[0].Name, stored[0].Hash, stored[0].Last4, stored[0].Role} {
			assert.NotContains(t, field, issued.Secret[len(access.AdminKeyPrefix):len(access.AdminKeyPrefix)+8])
		}
		views, total, err := k.svc.AdminKeys.List(context.Background(), repositories.Page{})
		require.NoError(t, err)
		assert.Equal(t, 1, total)
		assert.Equal(t, access.AdminKeyPrefix+"…"+issued.Secret[len(issued.Secret)-4:], views[0].Masked)

		a, err := k.svc.AdminKeys.Verify(context.Background(), issued.Secret)
		require.NoError(t, err)
		assert.Equal(t, actor.Actor{Kind: actor.AdminKey, ID: issued.Key.ID, Name: "ci", Role: actor.RoleOperator}, a)
	})
}

func TestAdminKeyCreateRefusesBadInput(t *testing.T) {
	k := newKeyCore(t)
	ctx := context.Background()
	_, err := k.svc.AdminKeys.Create(ctx, access.NewAdminKey{Name: " ", Role: "root", ExpiresAt: "2030-01-01T00:00:00Z", ExpiresIn: time.Hour})
	require.Error(t, err)
	var e *errs.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, errs.KindInvalid, e.Kind)
	require.Len(t, e.Issues, 3, "every problem at once: %v", e.Issues)
	assert.Contains(t, e.Issues[0], "name")
	assert.Contains(t, e.Issues[1], "role must be one of admin, operator, viewer")
	assert.Contains(t, e.Issues[2], "not both")

	for _, bad := range []access.NewAdminKey{
		{Name: "a/b", Role: "admin"},
		{Name: "x", Role: "admin", ExpiresAt: "yesterday"},
		{Name: "x", Role: "admin", ExpiresAt: "2020-01-01T00:00:00Z"},
		{Name: "x", Role: "admin", ExpiresIn: -time.Second},
		{Name: "5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11", Role: "admin"},
	} {
		_, err := k.svc.AdminKeys.Create(ctx, bad)
		assert.Equal(t, errs.KindInvalid, errs.KindOf(err), "%+v", bad)
	}
	createAdminKey(t, k, "ci", "viewer")
	_, err = k.svc.AdminKeys.Create(ctx, access.NewAdminKey{Name: "ci", Role: "admin"})
	assert.Equal(t, errs.KindConflict, errs.KindOf(err))
}

func TestAdminKeyExpires(t *testing.T) {
	k := newKeyCore(t)
	ctx := context.Background()
	issued, err := k.svc.AdminKeys.Create(ctx, access.NewAdminKey{Name: "temp", Role: "admin", ExpiresIn: time.Hour})
	require.NoError(t, err)
	require.NotNil(t, issued.Key.ExpiresAt)
	assert.Equal(t, k.clock.Now().Add(time.Hour), *issued.Key.ExpiresAt)
	_, err = k.svc.AdminKeys.Verify(ctx, issued.Secret)
	require.NoError(t, err)
	k.clock.Advance(time.Hour)
	_, err = k.svc.AdminKeys.Verify(ctx, issued.Secret)
	assert.Equal(t, errs.KindUnauthorized, errs.KindOf(err))
	assert.ErrorContains(t, err, "expired")
	v, err := k.svc.AdminKeys.Get(ctx, "temp")
	require.NoError(t, err)
	assert.True(t, v.Expired)
}

func TestDeletedAdminKeyIsRefusedOnEveryInstance(t *testing.T) {
	onKeyBackends(t, func(t *testing.T, newKeyCore func(t *testing.T) *keyCore) {
		k := newKeyCore(t)
		ctx := context.Background()
		issued := createAdminKey(t, k, "ci", "admin")
		other := access.NewAdminKeyService(k.other, k.clock.Now)
		t.Cleanup(func() { _ = other.Close() })
		_, err := other.Verify(ctx, issued.Secret)
		require.NoError(t, err)

		_, err = k.svc.AdminKeys.Delete(ctx, issued.Secret)
		assert.Equal(t, errs.KindInvalid, errs.KindOf(err), "never named by its secret")
		deleted, err := k.svc.AdminKeys.Delete(ctx, issued.Key.ID)
		require.NoError(t, err)
		assert.Equal(t, "ci", deleted.Name)
		_, err = other.Verify(ctx, issued.Secret)
		assert.Equal(t, errs.KindUnauthorized, errs.KindOf(err))
		_, err = k.svc.AdminKeys.Delete(ctx, "ci")
		assert.Equal(t, errs.KindNotFound, errs.KindOf(err))
	})
}

func TestAdminKeyVerifyRefusesOtherTokensWithoutLookup(t *testing.T) {
	k := newKeyCore(t)
	ctx := context.Background()
	issued := createAdminKey(t, k, "ci", "admin")
	gatewayKey := k.generate(t, "")
	before := k.ops.count("admin_keys.get_by_hash")
	// One character changed: the checksum no longer matches.
	last := issued.Secret[len(issued.Secret)-1]
	other := byte('a')
	if last == other {
		other = 'b'
	}
	typo := issued.Secret[:len(issued.Secret)-1] + string(other)
	for _, token := range []string{"", "smgadm_", typo, gatewayKey.Secret, strings.Replace(issued.Secret, "smgadm_", "smg_", 1)} {
		_, err := k.svc.AdminKeys.Verify(ctx, token)
		assert.Equal(t, errs.KindUnauthorized, errs.KindOf(err), token)
	}
	assert.Equal(t, before, k.ops.count("admin_keys.get_by_hash"), "malformed secrets cost no lookup")
	_, err := k.svc.APIKeys.Verify(ctx, issued.Secret)
	assert.Error(t, err, "an admin key is no gateway key")
}

func TestAdminKeyLastUseIsWrittenAtMostOnceAMinute(t *testing.T) {
	k := newKeyCore(t)
	ctx := context.Background()
	issued := createAdminKey(t, k, "ci", "viewer")
	lastUsed := func() *time.Time {
		got, err := k.store.AdminKeys().Resolve(ctx, issued.Key.ID)
		require.NoError(t, err)
		return got.LastUsedAt
	}
	first := k.clock.Now()
	for range 50 {
		_, err := k.svc.AdminKeys.Verify(ctx, issued.Secret)
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool { return lastUsed() != nil }, 5*time.Second, 20*time.Millisecond)
	assert.Equal(t, first, *lastUsed())
	writes := k.ops.count("admin_keys.touch_last_used")
	assert.Equal(t, 1, writes, "50 requests, one write")

	k.clock.Advance(30 * time.Second)
	_, err := k.svc.AdminKeys.Verify(ctx, issued.Secret)
	require.NoError(t, err)
	time.Sleep(2 * access.LastUsedFlushInterval)
	assert.Equal(t, writes, k.ops.count("admin_keys.touch_last_used"), "within the minute: no write")
	assert.Equal(t, first, *lastUsed())

	k.clock.Advance(31 * time.Second)
	_, err = k.svc.AdminKeys.Verify(ctx, issued.Secret)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return lastUsed().Equal(first.Add(61 * time.Second)) }, 5*time.Second, 20*time.Millisecond)
}

func TestRolesPermit(t *testing.T) {
	want := map[actor.Role][]roles.Access{
		actor.RoleAdmin:    {roles.AccessRead, roles.AccessWrite, roles.AccessAdmin},
		actor.RoleOperator: {roles.AccessRead, roles.AccessWrite},
		actor.RoleViewer:   {roles.AccessRead},
		"":                 nil,
		"root":             nil,
	}
	for role, allowed := range want {
		for _, access := range []roles.Access{roles.AccessRead, roles.AccessWrite, roles.AccessAdmin} {
			permitted := roles.Permits(role, access)
			assert.Equal(t, assert.ObjectsAreEqual(true, containsAccess(allowed, access)), permitted, "%s %s", role, access)
			err := roles.Authorize(actor.Actor{Role: role}, access)
			if permitted {
				assert.NoError(t, err)
			} else {
				assert.Equal(t, errs.KindForbidden, errs.KindOf(err), "%s %s", role, access)
			}
		}
	}
}

func containsAccess(list []roles.Access, a roles.Access) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

func TestViewerReadsServersMasked(t *testing.T) {
	k := newKeyCore(t)
	ctx := context.Background()
	_, err := k.svc.Configs.AddServer(ctx, "cfg", models.Server{Name: "gh", Command: "npx",
		Args: []string{"--token", "ghp_abcdefghijklmnop", "--api-key=sk_abcdefghijklmnop", "--verbose", "https://user:pw123456789@example.com/x"},
		Env:  map[string]string{"GITHUB_TOKEN": "ghp_abcdefghijklmnop", "LOG_LEVEL": "debugdebugdebug"}})
	require.NoError(t, err)
	viewer := actor.With(ctx, actor.Actor{Kind: actor.AdminKey, Role: actor.RoleViewer})
	operator := actor.With(ctx, actor.Actor{Kind: actor.AdminKey, Role: actor.RoleOperator})

	reads := map[string]func(ctx context.Context) models.Server{
		"config": func(ctx context.Context) models.Server {
			d, err := k.svc.Configs.Get(ctx, "cfg")
			require.NoError(t, err)
			return d.Servers[0]
		},
		"server": func(ctx context.Context) models.Server {
			s, err := k.svc.Configs.GetServer(ctx, "cfg", "gh")
			require.NoError(t, err)
			return s
		},
		"servers": func(ctx context.Context) models.Server {
			s, err := k.svc.Configs.ListServers(ctx, "cfg")
			require.NoError(t, err)
			return s[0]
		},
		"project config": func(ctx context.Context) models.Server {
			d, err := k.svc.Projects.Config(ctx, "p")
			require.NoError(t, err)
			return d.Servers[0]
		},
	}
	for name, read := range reads {
		masked := read(viewer)
		assert.NotContains(t, masked.Env["GITHUB_TOKEN"], "abcdefgh", name)
		assert.Equal(t, []string{"--token", "ghp_…mnop", "--api-key=sk_…mnop", "--verbose", "https://user:xxxxx@example.com/x"}, masked.Args, name)
		for _, ctx := range []context.Context{operator, ctx} {
			clear := read(ctx)
			assert.NotContains(t, clear.Env["GITHUB_TOKEN"], "abcdefgh", "env values are masked for everyone: %s", name)
			assert.Equal(t, "ghp_abcdefghijklmnop", clear.Args[1], name)
		}
	}
}
