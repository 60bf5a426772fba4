package sealing_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/sealing"
)

const configID = "5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11"

func TestAADNamesPlacesUnambiguously(t *testing.T) {
	assert.Equal(t, "servers.env:"+configID+"/github/GITHUB_TOKEN", sealing.EnvAAD(configID, "github", "GITHUB_TOKEN"))
	assert.Equal(t, "servers.oauth_config:"+configID+"/github/OAUTH_CUSTOM_HEADERS/X-Api-Key",
		sealing.OAuthAAD(configID, "github")(pathOf("OAUTH_CUSTOM_HEADERS", "X-Api-Key")))
	assert.Equal(t, "settings:enkrypt_api_key", sealing.SettingAAD("enkrypt_api_key")(nil))
	assert.Equal(t, "settings:telemetry/headers/0", sealing.SettingAAD("telemetry")(pathOf("headers", 0)))

	// Names holding the separator or the escape do not meet other places.
	seen := map[string][]string{}
	for _, parts := range [][]string{
		{"a/b", "c"}, {"a", "b/c"}, {"a", "b", "c"}, {"a~1b", "c"}, {"a~", "1b"}, {"a~", "/b"}, {"", "a"}, {"a", ""},
	} {
		aad := sealing.AAD(sealing.KindServerEnv, parts...)
		assert.NotContains(t, seen, aad, "%q and %q", parts, seen[aad])
		seen[aad] = parts
	}
	assert.Equal(t, "servers.env:a~1b/c", sealing.AAD(sealing.KindServerEnv, "a/b", "c"))
}

func TestPathPointer(t *testing.T) {
	assert.Equal(t, "", sealing.Path(nil).Pointer())
	assert.Equal(t, "/headers/0/a~1b~0c", pathOf("headers", 0, "a/b~c").Pointer())
	assert.Equal(t, []string{"headers", "0", "a/b~c"}, pathOf("headers", 0, "a/b~c").Segments())
}

func TestSealTreeSealsTheSecretsOfAnOAuthConfig(t *testing.T) {
	s, _ := newSealer(t)
	rules := sealing.Rules{Names: []string{"OAUTH_CODE_VERIFIER"}}
	stored := jsonTree(t, `{
	  "OAUTH_CLIENT_ID": "client", "OAUTH_CLIENT_SECRET": "`+planted+`", "OAUTH_SCOPE": "read write",
	  "OAUTH_CUSTOM_HEADERS": {"X-Api-Key": "header-key-0123456789-ijkl"},
	  "OAUTH_ADDITIONAL_PARAMS": {"assertions": [{"name": "Authorization", "value": "Bearer list-token-0123456789"}]},
	  "OAUTH_USE_PKCE": true, "OAUTH_TIMEOUT": 30
	}`)
	aad := sealing.OAuthAAD(configID, "github")

	sealed, err := s.SealTree(stored, rules.Secret, aad)
	require.NoError(t, err)
	text := jsonText(t, sealed)
	for _, secret := range []string{planted, "header-key-0123456789-ijkl", "list-token-0123456789"} {
		assert.NotContains(t, text, secret)
	}
	obj := sealed.(map[string]any)
	assert.True(t, sealing.IsSealed(obj["OAUTH_CLIENT_SECRET"].(string)))
	assert.Equal(t, "client", obj["OAUTH_CLIENT_ID"], "what is no secret stays readable")
	assert.Equal(t, "read write", obj["OAUTH_SCOPE"])
	assert.Equal(t, true, obj["OAUTH_USE_PKCE"])

	opened, err := s.OpenTree(sealed, aad)
	require.NoError(t, err)
	assert.JSONEq(t, jsonText(t, stored), jsonText(t, opened))

	_, err = s.OpenTree(sealed, sealing.OAuthAAD(configID, "gitlab"))
	assert.ErrorIs(t, err, sealing.ErrAuthentication, "another server's place does not open it")

	// A token copied into another member does not open there; the error
	// names the member, not the value.
	obj["OAUTH_CLIENT_ID"] = obj["OAUTH_CLIENT_SECRET"]
	_, err = s.OpenTree(obj, aad)
	require.ErrorIs(t, err, sealing.ErrAuthentication)
	assert.Contains(t, err.Error(), "/OAUTH_CLIENT_ID")
	assert.NotContains(t, err.Error(), obj["OAUTH_CLIENT_ID"])
}

func TestSealTreeSealsASettingsValue(t *testing.T) {
	s, _ := newSealer(t)
	aad := sealing.SettingAAD("enkrypt_api_key")
	sealed, err := s.SealTree("sk-ant-api03-abcdefghijklmnop-wxyz", sealing.Rules{All: true}.Secret, aad)
	require.NoError(t, err)
	require.True(t, sealing.IsSealed(sealed.(string)))
	opened, err := s.OpenTree(sealed, aad)
	require.NoError(t, err)
	assert.Equal(t, "sk-ant-api03-abcdefghijklmnop-wxyz", opened)
	_, err = s.OpenTree(sealed, sealing.SettingAAD("other"))
	assert.ErrorIs(t, err, sealing.ErrAuthentication)
	require.Contains(t, err.Error(), "value:", "an error at the root names the value, not its text")
}

func TestSealMapSealsEveryEnvValue(t *testing.T) {
	s, _ := newSealer(t)
	env := map[string]string{"GITHUB_TOKEN": planted, "LOG_LEVEL": "debug", "EMPTY": ""}
	aad := func(name string) string { return sealing.EnvAAD(configID, "github", name) }

	sealed, err := s.SealMap(env, aad)
	require.NoError(t, err)
	require.Len(t, sealed, 3)
	for name, v := range sealed {
		assert.True(t, sealing.IsSealed(v), name)
	}
	assert.Equal(t, planted, env["GITHUB_TOKEN"], "the map given is not changed")

	opened, err := s.OpenMap(sealed, aad)
	require.NoError(t, err)
	assert.Equal(t, env, opened)

	swapped := map[string]string{"GITHUB_TOKEN": sealed["LOG_LEVEL"], "LOG_LEVEL": sealed["GITHUB_TOKEN"]}
	_, err = s.OpenMap(swapped, aad)
	require.ErrorIs(t, err, sealing.ErrAuthentication, "a value moved to another variable does not open")
	assert.NotContains(t, err.Error(), planted)

	mixed, err := s.OpenMap(map[string]string{"OLD": "still-in-clear", "NEW": sealed["GITHUB_TOKEN"]},
		func(name string) string { return aad(map[string]string{"NEW": "GITHUB_TOKEN"}[name]) })
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"OLD": "still-in-clear", "NEW": planted}, mixed, "values not yet sealed are kept")

	none, err := s.SealMap(nil, aad)
	require.NoError(t, err)
	assert.Nil(t, none)
}

func TestResealTreeAndMapRotateEveryToken(t *testing.T) {
	old, oldKey := newSealer(t)
	envAAD := func(name string) string { return sealing.EnvAAD(configID, "github", name) }
	oauthAAD := sealing.OAuthAAD(configID, "github")
	env, err := old.SealMap(map[string]string{"GITHUB_TOKEN": planted}, envAAD)
	require.NoError(t, err)
	env["IN_CLEAR"] = "not yet sealed"
	oauth, err := old.SealTree(jsonTree(t, `{"client_secret": "`+planted+`", "client_id": "c"}`), sealing.Rules{}.Secret, oauthAAD)
	require.NoError(t, err)

	newKey := sealing.GenerateKey()
	ring, err := sealing.NewSealer(newKey, oldKey)
	require.NoError(t, err)
	env2, err := ring.ResealMap(env, envAAD)
	require.NoError(t, err)
	oauth2, err := ring.ResealTree(oauth, oauthAAD)
	require.NoError(t, err)
	assert.Equal(t, "not yet sealed", env2["IN_CLEAR"])

	only, err := sealing.NewSealer(newKey)
	require.NoError(t, err)
	got, err := only.OpenMap(env2, envAAD)
	require.NoError(t, err, "after the rotation the new key alone opens everything")
	assert.Equal(t, planted, got["GITHUB_TOKEN"])
	opened, err := only.OpenTree(oauth2, oauthAAD)
	require.NoError(t, err)
	assert.Equal(t, planted, opened.(map[string]any)["client_secret"])

	_, err = only.OpenMap(env, envAAD)
	assert.ErrorIs(t, err, sealing.ErrUnknownKey, "the values before the rotation needed the old key")
}

func TestTransformStopsAtTheFirstError(t *testing.T) {
	boom := errors.New("boom")
	_, err := sealing.Transform(jsonTree(t, `{"a": [{"b": "x"}]}`), func(sealing.Path, string) bool { return true },
		func(sealing.Path, string) (string, error) { return "", boom })
	require.ErrorIs(t, err, boom)
	assert.True(t, strings.HasPrefix(err.Error(), "/a/0/b: "), err.Error())
}
