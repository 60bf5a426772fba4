package e2e

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCLIAdminKeyCommands(t *testing.T) { onEachStore(t, testCLIAdminKeyCommands) }

func testCLIAdminKeyCommands(t *testing.T, h *cliHome) {
	runCLICases(t, h, []cliCase{
		{name: "create", args: args("admin-key create --name ci --role operator --expires-in 720h"),
			message: "Admin key created successfully; store it now, it will not be shown again",
			want:    map[string]any{"name": "ci", "role": "operator", "status": "active"}, save: map[string]string{"secret": "api_key", "id": "key_id"}},
		{name: "create viewer", args: args("admin-key create --name auditor --role viewer --expires-at 2030-01-01T00:00:00Z"),
			message: "Admin key created successfully; store it now, it will not be shown again",
			want:    map[string]any{"name": "auditor", "expires_at": "2030-01-01T00:00:00Z"}},
		{name: "create duplicate", args: args("admin-key create --name ci --role admin"), fail: "conflict", detail: `"ci" already exists`},
		{name: "create bad role", args: args("admin-key create --name x --role root"), fail: "invalid", detail: "role must be one of admin, operator, viewer"},
		{name: "create without role", args: args("admin-key create --name x"), fail: "invalid", usage: true, detail: `"role"`},
		{name: "create both expiries", args: args("admin-key create --name x --role admin --expires-in 1h --expires-at 2030-01-01T00:00:00Z"),
			fail: "invalid", usage: true, detail: "[expires-at expires-in]"},
		{name: "create bad lifetime", args: args("admin-key create --name x --role admin --expires-in -1h"), fail: "invalid", detail: "--expires-in"},
		{name: "list masked", args: args("admin-key list"), message: "Admin keys retrieved successfully",
			want: map[string]any{"0.key_id": "{id}", "0.name": "ci", "1.name": "auditor"}, hidden: "{secret}"},
		{name: "list a page", args: args("admin-key list --limit 1 --offset 1"), message: "Admin keys retrieved successfully",
			want: map[string]any{"0.name": "auditor"}},
		{name: "get", args: args("admin-key get --key-id {id}"), message: "Admin key retrieved successfully",
			want: map[string]any{"name": "ci"}, hidden: "{secret}"},
		{name: "delete", args: args("admin-key delete --name ci"), message: "Admin key deleted successfully",
			want: map[string]any{"key_id": "{id}"}},
		{name: "delete again", args: args("admin-key delete --name ci"), fail: "not_found", detail: "no admin key"},
		{name: "delete without key", args: args("admin-key delete"), fail: "invalid", usage: true, detail: "[name key-id]"},
	})
}

// A key the CLI creates works on the running server with its role, and the
// CLI's delete revokes it at its next request.
func TestCLIAdminKeyOnRunningServer(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	s := startServer(t, home)
	env := append(cleanEnv(), "HOME="+home)
	res, err := runCLI(env, "", "admin-key", "create", "--name", "script", "--role", "viewer")
	require.NoError(t, err)
	require.Equal(t, 0, res.code, res.stderr)
	secret, _ := at(t, decodeDoc(t, res.stdout)["data"], "api_key").(string)
	require.NotEmpty(t, secret)

	status, _ := s.call("GET", "/api/v1/configs", secret, nil)
	assert.Equal(t, http.StatusOK, status)
	status, body := s.call("POST", "/api/v1/configs", secret, map[string]string{"config_name": "nope"})
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, "forbidden", body["error"])
	root := adminKeyOf(t, filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json"))
	status, _ = s.call("GET", "/api/v1/admin-keys", root, nil)
	assert.Equal(t, http.StatusOK, status)

	res, err = runCLI(env, "", "admin-key", "delete", "--name", "script")
	require.NoError(t, err)
	require.Equal(t, 0, res.code, res.stderr)
	status, body = s.call("GET", "/api/v1/configs", secret, nil)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "unauthorized", body["error"])
}
