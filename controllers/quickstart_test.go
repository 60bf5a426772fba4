package controllers_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// quickStartEmail replaces the placeholder address of the seed's Quick Start.
const quickStartEmail = "jane.doe@acme-corp.com"

// TestQuickStart runs the seven curl calls of the Quick Start in
// rest-api-overview.txt, with the same paths and bodies, against the real router.
func TestQuickStart(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	steps := []struct {
		name, method, path, body string
		status                   int
		message                  string
	}{
		{"1. create a configuration", "POST", "/api/v1/configs", `{"config_name": "my-config"}`, 201, "Configuration created successfully"},
		{"2. add a server", "POST", "/api/v1/configs/my-config/servers", `{
    "server_name": "github",
    "server_command": "npx",
    "args": ["-y", "@modelcontextprotocol/server-github"],
    "description": "GitHub MCP Server"
  }`, 201, "Server added successfully"},
		{"3. create a project", "POST", "/api/v1/projects", `{"project_name": "my-project"}`, 201, "Project created successfully"},
		{"4. assign the configuration", "POST", "/api/v1/projects/my-project/assign-config", `{"config_name": "my-config"}`, 200, "Configuration assigned to project"},
		{"5. create a user", "POST", "/api/v1/users", `{"email": "` + quickStartEmail + `"}`, 201, "User created successfully"},
		{"6. add the user to the project", "POST", "/api/v1/projects/my-project/users", `{"email": "` + quickStartEmail + `"}`, 201, "User added to project"},
		{"7. generate an API key", "POST", "/api/v1/users/" + quickStartEmail + "/api-keys", `{"project_name": "my-project"}`, 201, "API key generated successfully"},
	}
	var last response
	for _, s := range steps {
		last = h.do(s.method, s.path, s.body)
		require.Equal(t, s.status, last.Code, "%s: %s", s.name, last.Raw)
		assert.Contains(t, last.Body["message"], s.message, s.name)
		assert.NotNil(t, last.Body["data"], s.name)
		assert.NotEmpty(t, last.Body["timestamp"], s.name)
	}
	secret, _ := last.data()["api_key"].(string)
	require.NotEmpty(t, secret)
	v, err := h.svc.APIKeys.Verify(context.Background(), secret)
	require.NoError(t, err, "the generated key verifies")
	assert.Equal(t, quickStartEmail, v.User.Email)
	assert.Equal(t, "my-project", v.Project.Name)
	assert.Equal(t, "my-config", v.Config.Name)

	// The path form a shell would send after URL-encoding the address works too.
	encoded := h.must(http.StatusOK, h.do("GET", "/api/v1/users/"+url.PathEscape(quickStartEmail)+"/api-keys", nil)).list()
	require.Len(t, encoded, 1)
	assert.Equal(t, "active", encoded[0]["status"])
}
