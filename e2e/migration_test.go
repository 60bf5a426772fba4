package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/repositories/sqlstore"
	"github.com/securemcp/gateway/services/access"
	"github.com/securemcp/gateway/services/entity"
)

// The first start on an empty store imports the original system's sections of
// the config file once, logging counts and never a key.
func TestFirstStartImportsTheOriginalConfigFileOnce(t *testing.T) {
	t.Parallel()
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

// The first start with the original system's example file as the config file
// (its placeholder key still in it, and keys its CLI added since) serves:
// the good keys verify with their old secrets, the placeholder is imported
// disabled with its reason, and no key reaches the log.
func TestFirstStartImportsTheOriginalsExampleFile(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	example, err := os.ReadFile("../testdata/example_enkrypt_mcp_config.json")
	require.NoError(t, err)
	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(example, &top))
	// Keys as the original's generate-api-key (36 random bytes, URL-safe
	// base64: 48 characters) and setup.sh (86 characters) make them, added
	// after its placeholder, in the record shape its CLI writes.
	raw := make([]byte, 36+64)
	_, _ = rand.Read(raw)
	good := []string{base64.RawURLEncoding.EncodeToString(raw[:36]),
		strings.NewReplacer("+", "_", "/", "_", "=", "").Replace(base64.StdEncoding.EncodeToString(raw[36:]))}
	record := `{"user_id": "UNIQUE_USER_ID", "project_id": "UNIQUE_PROJECT_ID", "created_at": "2025-02-01T10:00:00.000001"}`
	top["apikeys"] = json.RawMessage(fmt.Sprintf(`{"UNIQUE_GATEWAY_KEY": %s, %q: %s, %q: %s}`, record, good[0], record, good[1], record))
	data, err := json.MarshalIndent(top, "", "  ")
	require.NoError(t, err)
	configPath := filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json")
	require.NoError(t, os.MkdirAll(filepath.Dir(configPath), 0o700))
	require.NoError(t, os.WriteFile(configPath, data, 0o600))
	adminKey := adminKeyOf(t, configPath)

	s := startServer(t, home)
	for _, secret := range good {
		status, key := s.call("GET", "/api/v1/api-keys/"+secret, adminKey, nil)
		require.Equal(t, http.StatusOK, status, "a %d-character key of the original is found by its secret", len(secret))
		assert.Equal(t, "active", key["data"].(map[string]any)["status"])
	}
	status, keys := s.call("GET", "/api/v1/api-keys", adminKey, nil)
	require.Equal(t, http.StatusOK, status)
	list := keys["data"].([]any)
	require.Len(t, list, 3)
	placeholder := list[0].(map[string]any)
	assert.Equal(t, "inactive", placeholder["status"])
	assert.Equal(t, "weak_secret", placeholder["inactive_reason"])
	status, health := s.call("GET", "/api/v1/system/health?integrity=true", adminKey, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, fmt.Sprint(health["data"].(map[string]any)["warnings"]), "rotate it")
	status, echo := s.call("GET", "/api/v1/configs/default_config/servers/echo_server", adminKey, nil)
	require.Equal(t, http.StatusOK, status)
	oauth := echo["data"].(map[string]any)["oauth_config"].(map[string]any)
	assert.Equal(t, "your-client-id", oauth["OAUTH_CLIENT_ID"], "the server's oauth_config is kept")
	assert.Equal(t, "****cret", oauth["OAUTH_CLIENT_SECRET"], "and shown masked")
	require.NoError(t, s.stop())
	logs := s.logs.String()
	assert.Contains(t, logs, `"api_keys":3`)
	assert.Contains(t, logs, "apikeys entry #1: the key is imported disabled")
	for _, secret := range append(good, "UNIQUE_GATEWAY_KEY", adminKey) {
		assert.NotContains(t, logs, secret)
	}

	// Verify itself, on the store the server left.
	ctx := context.Background()
	store, err := sqlstore.OpenSQLite(ctx, filepath.Join(home, ".enkrypt", "gateway.db"))
	require.NoError(t, err)
	defer store.Close()
	keySvc := access.NewAPIKeyService(store, entity.SystemClock)
	defer keySvc.Close()
	for _, secret := range good {
		v, err := keySvc.Verify(ctx, secret)
		require.NoError(t, err)
		assert.Equal(t, "default@example.com", v.User.Email)
		assert.Equal(t, "default_config", v.Config.Name)
	}
	_, err = keySvc.Verify(ctx, "UNIQUE_GATEWAY_KEY")
	assert.Equal(t, access.ReasonMalformed, access.RefusalReason(err))
}
