package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCLIServerOAuthConfig(t *testing.T) { onEachStore(t, testCLIServerOAuthConfig) }

func testCLIServerOAuthConfig(t *testing.T, h *cliHome) {
	const secret = "cli-client-secret-0123456789-wxyz"
	oauth := `{"enabled":true,"OAUTH_GRANT_TYPE":"client_credentials","OAUTH_CLIENT_ID":"gateway","OAUTH_CLIENT_SECRET":"` + secret +
		`","OAUTH_SCOPE":"read write","OAUTH_TOKEN_URL":"https://auth.example.com/oauth/token","OAUTH_TOKEN_EXPIRY_BUFFER":300}`
	masked := `{"enabled":true,"OAUTH_GRANT_TYPE":"client_credentials","OAUTH_CLIENT_ID":"gateway","OAUTH_CLIENT_SECRET":"****wxyz",` +
		`"OAUTH_SCOPE":"read","OAUTH_TOKEN_URL":"https://auth.example.com/oauth/token","OAUTH_TOKEN_EXPIRY_BUFFER":300}`
	ident := args("--config-name c1 --server-name remote")
	runCLICases(t, h, []cliCase{
		{name: "add", args: args("config add --config-name c1"), message: "Configuration created successfully"},
		{name: "add-server with oauth", args: append(args("config add-server --server-command npx", ident...), "--oauth-config", oauth),
			message: "Server added successfully", hidden: secret, want: map[string]any{"oauth_config.OAUTH_CLIENT_SECRET": "****wxyz",
				"oauth_config.OAUTH_CLIENT_ID": "gateway", "oauth_config.OAUTH_TOKEN_EXPIRY_BUFFER": 300.0}},
		{name: "add-server oauth not an object", args: append(args("config add-server --config-name c1 --server-name s2 --server-command npx"),
			"--oauth-config", `["x"]`), fail: "invalid", detail: "--oauth-config must be a JSON object, not array"},
		{name: "get-server masks", args: args("config get-server", ident...), message: "Server retrieved successfully", hidden: secret,
			want: map[string]any{"oauth_config.OAUTH_CLIENT_SECRET": "****wxyz", "oauth_config.OAUTH_SCOPE": "read write"}},
		{name: "update-server with what was shown", args: append(args("config update-server", ident...), "--oauth-config", masked),
			message: "Server updated successfully", hidden: secret, want: map[string]any{"oauth_config.OAUTH_SCOPE": "read",
				"oauth_config.OAUTH_CLIENT_SECRET": "****wxyz", "config.command": "npx"}},
		{name: "update-server null", args: append(args("config update-server", ident...), "--oauth-config", "null"),
			fail: "invalid", detail: "--oauth-config must be a JSON object, not null"},
	})

	// The export file and the backup hold the secret sealed, kept through
	// the update; a backup with --include-secrets holds it in clear.
	h.must("config", "export", "--config-name", "c1", "--output-file", "c1.json")
	h.must("system", "backup", "--output-file", "b.json")
	for _, name := range []string{"c1.json", "b.json"} {
		data, err := os.ReadFile(filepath.Join(h.workDir, name))
		require.NoError(t, err)
		assert.NotContains(t, string(data), secret, name)
		assert.Contains(t, string(data), `"OAUTH_CLIENT_SECRET": "smgsealed:v1:`, name)
		assert.Contains(t, string(data), `"OAUTH_SCOPE": "read"`, name)
	}
	res := h.run("system", "backup", "--output-file", "clear.json", "--include-secrets")
	require.Equal(t, 0, res.code, res.stderr)
	assert.Equal(t, true, at(t, decodeDoc(t, res.stdout)["data"], "secrets_included"))
	assert.Contains(t, res.stderr, "in clear", "the command says so")
	data, err := os.ReadFile(filepath.Join(h.workDir, "clear.json"))
	require.NoError(t, err)
	assert.Contains(t, string(data), secret)
	info, err := os.Stat(filepath.Join(h.workDir, "clear.json"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	removed := h.must(append(args("config update-server", ident...), "--oauth-config", "{}")...)
	assert.NotContains(t, removed.(map[string]any), "oauth_config", "{} removes it")
	h.must("system", "restore", "--input-file", "b.json")
	back := h.must(args("config get-server", ident...)...)
	assert.Equal(t, "****wxyz", at(t, back, "oauth_config.OAUTH_CLIENT_SECRET"), "restored from the backup")
}
