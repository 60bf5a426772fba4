package services_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/catalog"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/system"
)

const (
	envSecret      = "ghp_0123456789abcdefghijklmnopqrstuvwxyz"
	oauthSecret    = "oauth-client-secret-0123456789"
	providerSecret = "ek-provider-key-0123456789abcdef"
)

// withSealer is the services of c's store and data directory with another
// sealer: another key, or the same key among others.
func (c systemCore) withSealer(t *testing.T, sealer *sealing.Sealer) *services.Services {
	t.Helper()
	files, err := confine.NewDataDir(c.dataDir)
	require.NoError(t, err)
	svc := services.New(c.store, files, entity.SystemClock, sealer)
	t.Cleanup(func() { _ = svc.Close() })
	return svc
}

// plantSecrets stores a server with an env token and an oauth secret, and
// the provider key, through the services.
func plantSecrets(t *testing.T, svc *services.Services) {
	t.Helper()
	ctx := context.Background()
	_, err := svc.Configs.Create(ctx, "cfg")
	require.NoError(t, err)
	_, err = svc.Configs.AddServer(ctx, "cfg", models.Server{Name: "gh", Command: "npx",
		Env:         map[string]string{"GITHUB_TOKEN": envSecret, "EMPTY": ""},
		OAuthConfig: models.JSONObject{"OAUTH_CLIENT_ID": "client", "OAUTH_CLIENT_SECRET": oauthSecret}})
	require.NoError(t, err)
	_, err = svc.Settings.SetEnkryptAPIKey(ctx, providerSecret)
	require.NoError(t, err)
}

// rawState is every stored server and setting, as JSON text.
func rawState(t *testing.T, store repositories.Store) string {
	t.Helper()
	ctx := context.Background()
	configs, _, err := store.Configs().List(ctx, repositories.Page{})
	require.NoError(t, err)
	var b strings.Builder
	for _, c := range configs {
		servers, err := store.Servers().List(ctx, c.ID)
		require.NoError(t, err)
		data, err := json.Marshal(servers)
		require.NoError(t, err)
		b.Write(data)
	}
	settings, err := store.Settings().List(ctx)
	require.NoError(t, err)
	data, err := json.Marshal(settings)
	require.NoError(t, err)
	b.Write(data)
	return b.String()
}

func assertNoSecret(t *testing.T, text, where string) {
	t.Helper()
	for _, s := range []string{envSecret, oauthSecret, providerSecret} {
		assert.NotContains(t, text, s, "%s holds a secret in clear", where)
	}
}

func TestSecretsAreSealedInTheStoreAndMaskedInAnswers(t *testing.T) {
	t.Parallel()
	onEverySystemBackend(t, func(t *testing.T, c systemCore) {
		ctx := context.Background()
		plantSecrets(t, c.svc)
		stored := rawState(t, c.store)
		assertNoSecret(t, stored, "the store")
		assert.Contains(t, stored, sealing.Prefix)

		srv, err := c.svc.Configs.GetServer(ctx, "cfg", "gh")
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"GITHUB_TOKEN": "ghp_…wxyz", "EMPTY": ""}, srv.Env)
		assert.Equal(t, "****6789", srv.OAuthConfig["OAUTH_CLIENT_SECRET"])
		key, err := c.svc.Settings.EnkryptAPIKey(ctx)
		require.NoError(t, err)
		assert.Equal(t, "****cdef", key.Masked)
		settings, err := c.svc.Settings.List(ctx)
		require.NoError(t, err)
		data, _ := json.Marshal(settings)
		assertNoSecret(t, string(data), "the settings listing")

		clear, err := c.svc.Settings.ProviderKey(ctx)
		require.NoError(t, err)
		assert.Equal(t, providerSecret, clear, "the provider key opens for the gateway")
		configID, sealed, err := c.svc.Configs.ServerToStart(ctx, "cfg", "gh")
		require.NoError(t, err)
		assert.True(t, sealing.IsSealed(sealed.Env["GITHUB_TOKEN"]), "the gateway gets the env sealed")
		env, err := c.svc.Configs.OpenEnv(configID, "gh", sealed.Env)
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"GITHUB_TOKEN": envSecret, "EMPTY": ""}, env, "and opens it to start the server")
		_, err = c.svc.Configs.OpenEnv(configID, "other", sealed.Env)
		assert.ErrorIs(t, err, sealing.ErrAuthentication, "a value opens only at its place")
	})
}

func TestMaskedValuesSentBackKeepTheStoredSecrets(t *testing.T) {
	t.Parallel()
	c := newSystemCore(t)
	ctx := context.Background()
	plantSecrets(t, c.svc)
	shown, err := c.svc.Configs.GetServer(ctx, "cfg", "gh")
	require.NoError(t, err)

	env := map[string]string{"GITHUB_TOKEN": shown.Env["GITHUB_TOKEN"], "NEW": "new-value"}
	_, err = c.svc.Configs.UpdateServer(ctx, "cfg", "gh", catalog.ServerPatch{Env: &env})
	require.NoError(t, err)
	configID, sealed, err := c.svc.Configs.ServerToStart(ctx, "cfg", "gh")
	require.NoError(t, err)
	opened, err := c.svc.Configs.OpenEnv(configID, "gh", sealed.Env)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"GITHUB_TOKEN": envSecret, "NEW": "new-value"}, opened, "the mask keeps the value; EMPTY, left out, is gone")

	env = map[string]string{"GITHUB_TOKEN": sealed.Env["GITHUB_TOKEN"]}
	_, err = c.svc.Configs.UpdateServer(ctx, "cfg", "gh", catalog.ServerPatch{Env: &env})
	assert.Equal(t, errs.KindInvalid, errs.KindOf(err), "a token sent by a client is refused: %v", err)
	assert.Contains(t, err.Error(), "env/GITHUB_TOKEN holds a sealed value")
	_, err = c.svc.Configs.AddServer(ctx, "cfg", models.Server{Name: "copy", Command: "npx", Env: env})
	assert.Equal(t, errs.KindInvalid, errs.KindOf(err))
	_, err = c.svc.Settings.SetEnkryptAPIKey(ctx, sealed.Env["GITHUB_TOKEN"])
	assert.Equal(t, errs.KindInvalid, errs.KindOf(err))
}

func TestSealStoredSealsWhatEarlierVersionsKeptInClear(t *testing.T) {
	t.Parallel()
	onEverySystemBackend(t, func(t *testing.T, c systemCore) {
		ctx := context.Background()
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		// What an earlier version stored: everything in clear.
		cfg := models.Config{ID: "5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11", Name: "old", CreatedAt: now, UpdatedAt: now}
		require.NoError(t, c.store.Configs().Create(ctx, cfg))
		require.NoError(t, c.store.Servers().Create(ctx, cfg.ID, models.Server{Name: "gh", Command: "npx", CreatedAt: now, UpdatedAt: now,
			Env: map[string]string{"GITHUB_TOKEN": envSecret}, OAuthConfig: models.JSONObject{"OAUTH_CLIENT_SECRET": oauthSecret, "OAUTH_SCOPE": "read"}}.Normalize()))
		value, _ := json.Marshal(providerSecret)
		require.NoError(t, c.store.Settings().Put(ctx, models.Setting{Key: system.SettingEnkryptAPIKey, Value: string(value), UpdatedAt: now}))
		holds, err := system.StoreHoldsSealed(ctx, c.store)
		require.NoError(t, err)
		assert.False(t, holds)

		n, err := c.svc.System.SealStored(ctx)
		require.NoError(t, err)
		assert.Equal(t, 2, n, "one server and one setting")
		stored := rawState(t, c.store)
		assertNoSecret(t, stored, "the store after the migration")
		assert.Contains(t, stored, `"OAUTH_SCOPE":"read"`, "what is no secret stays readable")
		holds, err = system.StoreHoldsSealed(ctx, c.store)
		require.NoError(t, err)
		assert.True(t, holds)

		n, err = c.svc.System.SealStored(ctx)
		require.NoError(t, err)
		assert.Zero(t, n, "the migration changes nothing the second time")
		assert.Equal(t, stored, rawState(t, c.store))
		key, err := c.svc.Settings.ProviderKey(ctx)
		require.NoError(t, err)
		assert.Equal(t, providerSecret, key)

		_, err = c.withSealer(t, sealing.NewEphemeralSealer()).System.SealStored(ctx)
		require.Error(t, err, "a store sealed with another key does not open with this one")
		assert.ErrorIs(t, err, sealing.ErrUnknownKey)
	})
}

func TestBackupsCarrySecretsSealedOrInClearOnRequest(t *testing.T) {
	t.Parallel()
	onEverySystemBackend(t, func(t *testing.T, c systemCore) {
		ctx := context.Background()
		plantSecrets(t, c.svc)
		res, err := c.svc.System.Backup(ctx, "sealed.json", false)
		require.NoError(t, err)
		assert.False(t, res.SecretsIncluded)
		sealed, err := os.ReadFile(filepath.Join(c.dataDir, "sealed.json"))
		require.NoError(t, err)
		assertNoSecret(t, string(sealed), "a backup")

		res, err = c.svc.System.Backup(ctx, "clear.json", true)
		require.NoError(t, err)
		assert.True(t, res.SecretsIncluded)
		clear, err := os.ReadFile(filepath.Join(c.dataDir, "clear.json"))
		require.NoError(t, err)
		for _, s := range []string{envSecret, oauthSecret, providerSecret} {
			assert.Contains(t, string(clear), s)
		}
		info, err := os.Stat(filepath.Join(c.dataDir, "clear.json"))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

		// Another key: the sealed backup is refused whole, the clear one restores.
		other := c.withSealer(t, sealing.NewEphemeralSealer())
		before := rawState(t, c.store)
		_, err = other.System.Restore(ctx, "input_file", "sealed.json")
		require.Error(t, err)
		assert.Equal(t, errs.KindInvalid, errs.KindOf(err))
		assert.Contains(t, err.Error(), "sealed with another secret key")
		assert.Equal(t, before, rawState(t, c.store), "a refused restore changes nothing")
		_, err = other.System.Restore(ctx, "input_file", "clear.json")
		require.NoError(t, err)
		assertNoSecret(t, rawState(t, c.store), "the store restored from secrets in clear")
		key, err := other.Settings.ProviderKey(ctx)
		require.NoError(t, err)
		assert.Equal(t, providerSecret, key, "sealed again with the new key")
	})
}

func TestSealedBackupRestoresWithTheSameKey(t *testing.T) {
	t.Parallel()
	c := newSystemCore(t)
	ctx := context.Background()
	plantSecrets(t, c.svc)
	_, err := c.svc.System.Backup(ctx, "b.json", false)
	require.NoError(t, err)
	_, err = c.svc.System.Reset(ctx, true)
	require.NoError(t, err)
	_, err = c.svc.System.Restore(ctx, "input_file", "b.json")
	require.NoError(t, err)
	key, err := c.svc.Settings.ProviderKey(ctx)
	require.NoError(t, err)
	assert.Equal(t, providerSecret, key)
	configID, srv, err := c.svc.Configs.ServerToStart(ctx, "cfg", "gh")
	require.NoError(t, err)
	env, err := c.svc.Configs.OpenEnv(configID, "gh", srv.Env)
	require.NoError(t, err)
	assert.Equal(t, envSecret, env["GITHUB_TOKEN"])
}

func TestResealStoredMovesEverySecretToTheNewKey(t *testing.T) {
	t.Parallel()
	onEverySystemBackend(t, func(t *testing.T, c systemCore) {
		ctx := context.Background()
		oldKey, newKey := sealing.GenerateKey(), sealing.GenerateKey()
		oldSealer, err := sealing.NewSealer(oldKey)
		require.NoError(t, err)
		plantSecrets(t, c.withSealer(t, oldSealer))
		assert.Contains(t, rawState(t, c.store), oldKey.ID())

		both, err := sealing.NewSealer(newKey, oldKey)
		require.NoError(t, err)
		n, err := c.withSealer(t, both).System.ResealStored(ctx)
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		stored := rawState(t, c.store)
		assert.NotContains(t, stored, oldKey.ID(), "no value is left under the old key")
		assertNoSecret(t, stored, "the store after the rotation")

		newOnly, err := sealing.NewSealer(newKey)
		require.NoError(t, err)
		svc := c.withSealer(t, newOnly)
		key, err := svc.Settings.ProviderKey(ctx)
		require.NoError(t, err)
		assert.Equal(t, providerSecret, key, "the new key alone opens everything")
		srv, err := svc.Configs.GetServer(ctx, "cfg", "gh")
		require.NoError(t, err)
		assert.Equal(t, "****6789", srv.OAuthConfig["OAUTH_CLIENT_SECRET"])
		n, err = svc.System.ResealStored(ctx)
		require.NoError(t, err)
		assert.Zero(t, n, "a second rotation to the same key changes nothing")
	})
}

func TestExportImportAndCopyMoveSecretsToTheirNewPlace(t *testing.T) {
	t.Parallel()
	c := newSystemCore(t)
	ctx := context.Background()
	plantSecrets(t, c.svc)
	res, err := c.svc.Configs.Export(ctx, "cfg", "cfg.json")
	require.NoError(t, err)
	shown, _ := json.Marshal(res.Document)
	assertNoSecret(t, string(shown), "the export's answer")
	file, err := os.ReadFile(filepath.Join(c.dataDir, "cfg.json"))
	require.NoError(t, err)
	assertNoSecret(t, string(file), "the export file")

	for _, name := range []string{"imported", "copied"} {
		if name == "imported" {
			_, err = c.svc.Configs.Import(ctx, name, "cfg.json", nil)
		} else {
			_, err = c.svc.Configs.Copy(ctx, "cfg", name)
		}
		require.NoError(t, err)
		configID, srv, err := c.svc.Configs.ServerToStart(ctx, name, "gh")
		require.NoError(t, err)
		env, err := c.svc.Configs.OpenEnv(configID, "gh", srv.Env)
		require.NoError(t, err, name)
		assert.Equal(t, envSecret, env["GITHUB_TOKEN"], name)
	}

	_, err = c.withSealer(t, sealing.NewEphemeralSealer()).Configs.Import(ctx, "elsewhere", "cfg.json", nil)
	require.Error(t, err)
	assert.Equal(t, errs.KindInvalid, errs.KindOf(err))
	assert.Contains(t, err.Error(), "sealed with another secret key")
}
