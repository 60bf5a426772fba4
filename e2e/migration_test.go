package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The first start on an empty store imports the original system's sections of
// the config file once, logging counts and never a key.
func TestFirstStartImportsTheOriginalConfigFileOnce(t *testing.T) {
	home := t.TempDir()
	data, err := os.ReadFile("../testdata/enkrypt_mcp_config.json")
	require.NoError(t, err)
	configPath := filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json")
	require.NoError(t, os.MkdirAll(filepath.Dir(configPath), 0o700))
	require.NoError(t, os.WriteFile(configPath, data, 0o600))
	var file struct {
		AdminKey string                    `json:"admin_apikey"`
		APIKeys  map[string]map[string]any `json:"apikeys"`
		Plugins  map[string]map[string]any `json:"plugins"`
	}
	require.NoError(t, json.Unmarshal(data, &file))

	s := startServer(t, home)
	status, configs := s.call("GET", "/api/v1/configs", file.AdminKey, nil)
	require.Equal(t, http.StatusOK, status, "the file's admin key is the admin key")
	assert.Len(t, configs["data"], 2)
	status, health := s.call("GET", "/api/v1/system/health?integrity=true", file.AdminKey, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "healthy", health["data"].(map[string]any)["status"])
	assert.Equal(t, 4.0, health["data"].(map[string]any)["statistics"].(map[string]any)["total_api_keys"])
	// Changed after the import: a restart must not import again over it.
	status, _ = s.call("POST", "/api/v1/configs", file.AdminKey, map[string]string{"config_name": "made-after-import"})
	require.Equal(t, http.StatusCreated, status)
	require.NoError(t, s.stop())
	logs := s.logs.String()
	assert.Contains(t, logs, "imported the original system's state from the config file")
	assert.Contains(t, logs, `"api_keys":4`)
	assert.NotContains(t, logs, file.AdminKey)
	for secret := range file.APIKeys {
		assert.NotContains(t, logs, secret)
	}
	assert.NotContains(t, logs, file.Plugins["guardrails"]["config"].(map[string]any)["api_key"])

	s2 := startServer(t, home)
	status, configs = s2.call("GET", "/api/v1/configs", file.AdminKey, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, configs["data"], 3, "the second start keeps the store as it is")
	require.NoError(t, s2.stop())
	assert.False(t, strings.Contains(s2.logs.String(), "imported the original system's state"))
}
