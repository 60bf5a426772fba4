package services_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/catalog"
)

// jsonOf renders a value the way the API does, for comparisons that ignore
// how numbers are held in memory.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

// fileOAuth is the oauth_config of the first server of a file of the original system.
func fileOAuth(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc struct {
		Configs map[string]struct {
			Servers []struct {
				OAuth map[string]any `json:"oauth_config"`
			} `json:"mcp_config"`
		} `json:"mcp_configs"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	for _, c := range doc.Configs {
		require.NotEmpty(t, c.Servers[0].OAuth)
		return c.Servers[0].OAuth
	}
	t.Fatal("no configuration in the file")
	return nil
}

func TestImportKeepsTheOriginalsOAuthConfig(t *testing.T) {
	t.Parallel()
	for _, path := range []string{generatedPath, examplePath} {
		t.Run(path[strings.LastIndex(path, "/")+1:], func(t *testing.T) {
			onEverySystemBackend(t, func(t *testing.T, c systemCore) {
				ctx := context.Background()
				data, err := os.ReadFile(path)
				require.NoError(t, err)
				_, err = c.svc.System.ImportEnkrypt(ctx, "input_file", data, false)
				require.NoError(t, err)
				want := fileOAuth(t, path)

				backup := c.snapshot(t)
				stored := backup.Configs[0].Servers[0].OAuthConfig
				assert.JSONEq(t, jsonOf(t, want), jsonOf(t, stored), "kept member for member, in the backup too")

				shown, err := c.svc.Configs.GetServer(ctx, "default_config", "echo_server")
				require.NoError(t, err)
				assert.Equal(t, "****cret", shown.OAuthConfig["OAUTH_CLIENT_SECRET"], "the client secret is masked")
				assert.Equal(t, "your-client-id", shown.OAuthConfig["OAUTH_CLIENT_ID"])
				assert.Equal(t, "https://auth.example.com/oauth/token", shown.OAuthConfig["OAUTH_TOKEN_URL"])
				assert.Equal(t, "read write", shown.OAuthConfig["OAUTH_SCOPE"])
				again, err := c.svc.Configs.GetServer(ctx, "default_config", "echo_server")
				require.NoError(t, err)
				assert.Equal(t, shown, again, "masking changes no stored or cached value")

				_, err = c.svc.System.Reset(ctx, true)
				require.NoError(t, err)
				backupData, err := json.Marshal(backup)
				require.NoError(t, err)
				_, err = c.svc.System.RestoreData(ctx, "input_file", backupData)
				require.NoError(t, err)
				assert.JSONEq(t, jsonOf(t, want), jsonOf(t, c.snapshot(t).Configs[0].Servers[0].OAuthConfig), "restored as backed up")
			})
		})
	}
}

func TestImportLeavesOutAnOAuthConfigItCannotHold(t *testing.T) {
	t.Parallel()
	c := newSystemCore(t)
	doc := `{"mcp_configs": {"C": {"mcp_config_name": "c", "mcp_config": [
	    {"server_name": "broken", "config": {"command": "python"}, "oauth_config": "client-secret-in-a-string"},
	    {"server_name": "deep", "config": {"command": "python"}, "oauth_config": {"a": ` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}},
	    {"server_name": "none", "config": {"command": "python"}, "oauth_config": null}]}}}`
	res, err := c.svc.System.ImportEnkrypt(context.Background(), "input_file", []byte(doc), false)
	require.NoError(t, err, "a server's broken oauth_config does not stop the import")
	notes := strings.Join(res.Notes, "\n")
	assert.Contains(t, notes, `mcp_configs["C"] server "broken": oauth_config is not an object and is not imported`)
	assert.Contains(t, notes, `mcp_configs["C"] server "deep": oauth_config nests deeper than 64 levels and is not imported`)
	assert.NotContains(t, notes, "client-secret-in-a-string")
	assert.NotContains(t, notes, `"none"`)
	for _, srv := range c.snapshot(t).Configs[0].Servers {
		assert.Nil(t, srv.OAuthConfig, srv.ServerName)
	}
}

func TestUpdateServerKeepsMaskedOAuthSecrets(t *testing.T) {
	t.Parallel()
	c := newSystemCore(t)
	ctx := context.Background()
	_, err := c.svc.Configs.Create(ctx, "cfg")
	require.NoError(t, err)
	stored := models.JSONObject{
		"OAUTH_CLIENT_ID": "client", "OAUTH_CLIENT_SECRET": "a-long-client-secret-abcd", "OAUTH_CODE_VERIFIER": "verifier-0123456789-efgh",
		"OAUTH_TOKEN_URL":      "https://gateway:p4ssw0rd-long@auth.example.com/token?client_secret=s3cr3t-value",
		"OAUTH_CUSTOM_HEADERS": map[string]any{"X-Api-Key": "header-key-0123456789-ijkl"},
		"OAUTH_ADDITIONAL_PARAMS": map[string]any{"assertions": []any{
			map[string]any{"name": "Authorization", "value": "Bearer list-token-0123456789"}}},
	}
	added, err := c.svc.Configs.AddServer(ctx, "cfg", models.Server{Name: "s", Command: "npx", OAuthConfig: stored})
	require.NoError(t, err)
	shown := jsonOf(t, added.OAuthConfig)
	for _, secret := range []string{"a-long-client-secret-abcd", "verifier-0123456789-efgh", "p4ssw0rd-long", "s3cr3t-value", "header-key-0123456789-ijkl", "list-token-0123456789"} {
		assert.NotContains(t, shown, secret)
	}
	assert.Contains(t, shown, `"OAUTH_CLIENT_ID":"client"`)

	// Sending back exactly what was shown, with one member changed.
	var sent map[string]any
	require.NoError(t, json.Unmarshal([]byte(shown), &sent))
	sent["OAUTH_CLIENT_ID"] = "client-2"
	_, err = c.svc.Configs.UpdateServer(ctx, "cfg", "s", catalog.ServerPatch{OAuthConfig: &sent})
	require.NoError(t, err)
	want := map[string]any{}
	require.NoError(t, json.Unmarshal([]byte(jsonOf(t, stored)), &want))
	want["OAUTH_CLIENT_ID"] = "client-2"
	assert.JSONEq(t, jsonOf(t, want), jsonOf(t, c.snapshot(t).Configs[0].Servers[0].OAuthConfig))

	// A member that is new, or not what was shown, is taken as sent.
	sent = map[string]any{"OAUTH_CLIENT_SECRET": "****", "OAUTH_NEW": "****abcd"}
	_, err = c.svc.Configs.UpdateServer(ctx, "cfg", "s", catalog.ServerPatch{OAuthConfig: &sent})
	require.NoError(t, err)
	assert.JSONEq(t, `{"OAUTH_CLIENT_SECRET": "****", "OAUTH_NEW": "****abcd"}`, jsonOf(t, c.snapshot(t).Configs[0].Servers[0].OAuthConfig))
}
