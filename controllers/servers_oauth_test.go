package controllers_test

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

const (
	oauthClientSecret = "client-secret-0123456789-wxyz"
	oauthBearer       = "Bearer eyJhbGciOi.header-token-9876"
)

// oauthConfig is a server's oauth_config in the original system's shape.
func oauthConfig() map[string]any {
	return map[string]any{
		"enabled": true, "is_remote": true, "OAUTH_VERSION": "2.1", "OAUTH_GRANT_TYPE": "client_credentials",
		"OAUTH_CLIENT_ID": "gateway-client", "OAUTH_CLIENT_SECRET": oauthClientSecret,
		"OAUTH_TOKEN_URL": "https://auth.example.com/oauth/token", "OAUTH_AUDIENCE": "https://api.example.com",
		"OAUTH_SCOPE": "read write", "OAUTH_TOKEN_EXPIRY_BUFFER": 300, "OAUTH_USE_BASIC_AUTH": true,
		"OAUTH_CLIENT_CERT_PATH": nil, "OAUTH_ADDITIONAL_PARAMS": map[string]any{},
		"OAUTH_CUSTOM_HEADERS": map[string]any{"Authorization": oauthBearer, "X-Tenant": "acme"},
	}
}

// maskedOAuth is oauthConfig as every response shows it.
func maskedOAuth() map[string]any {
	m := oauthConfig()
	m["OAUTH_CLIENT_SECRET"] = "****wxyz"
	m["OAUTH_CUSTOM_HEADERS"] = map[string]any{"Authorization": "****9876", "X-Tenant": "acme"}
	m["OAUTH_TOKEN_EXPIRY_BUFFER"] = 300.0
	return m
}

// storedOAuth reads a server's oauth_config as stored, through a backup with
// its secrets in clear.
func (h *harness) storedOAuth(name string) map[string]any {
	h.t.Helper()
	h.must(http.StatusOK, h.do("POST", "/api/v1/system/backup", map[string]any{"output_file": "peek.json", "include_secrets": true}))
	data, err := os.ReadFile(filepath.Join(h.dataDir, "peek.json"))
	require.NoError(h.t, err)
	var doc struct {
		Configs []struct {
			Servers []struct {
				Name  string         `json:"server_name"`
				OAuth map[string]any `json:"oauth_config"`
			} `json:"servers"`
		} `json:"configs"`
	}
	require.NoError(h.t, json.Unmarshal(data, &doc))
	for _, c := range doc.Configs {
		for _, s := range c.Servers {
			if s.Name == name {
				return s.OAuth
			}
		}
	}
	h.t.Fatalf("server %q is not in the backup", name)
	return nil
}

func TestServerOAuthConfig(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, func(t *testing.T, h *harness) {
		h.seedConfig("cfg", "github")
		base := "/api/v1/configs/cfg/servers"
		added := h.must(http.StatusCreated, h.do("POST", base, map[string]any{
			"server_name": "remote", "server_command": "npx", "oauth_config": oauthConfig()}))
		assert.Equal(t, maskedOAuth(), added.data()["oauth_config"], "the answer masks the secrets")
		assert.NotContains(t, string(added.Raw), oauthClientSecret)

		t.Run("every read masks it; a server without one has none", func(t *testing.T) {
			got := h.must(http.StatusOK, h.do("GET", base+"/remote", nil))
			assert.Equal(t, maskedOAuth(), got.data()["oauth_config"])
			cfg := h.must(http.StatusOK, h.do("GET", "/api/v1/configs/cfg", nil))
			servers := cfg.data()["servers"].([]any)
			assert.NotContains(t, servers[0].(map[string]any), "oauth_config")
			assert.Equal(t, maskedOAuth(), servers[1].(map[string]any)["oauth_config"])
			h.must(http.StatusCreated, h.do("POST", "/api/v1/projects", map[string]string{"project_name": "p"}))
			h.must(http.StatusOK, h.do("POST", "/api/v1/projects/p/assign-config", map[string]string{"config_name": "cfg"}))
			project := h.must(http.StatusOK, h.do("GET", "/api/v1/projects/p/config", nil))
			for _, res := range []response{got, cfg, project} {
				assert.NotContains(t, string(res.Raw), oauthClientSecret)
				assert.NotContains(t, string(res.Raw), oauthBearer)
			}
			assert.Equal(t, oauthConfig()["OAUTH_CLIENT_SECRET"], h.storedOAuth("remote")["OAUTH_CLIENT_SECRET"], "stored as given")
		})

		t.Run("what a response showed, sent back, keeps the stored secrets", func(t *testing.T) {
			edited := maskedOAuth()
			edited["OAUTH_SCOPE"] = "read"
			res := h.must(http.StatusOK, h.do("PUT", base+"/remote", map[string]any{"oauth_config": edited}))
			assert.Equal(t, "read", res.data()["oauth_config"].(map[string]any)["OAUTH_SCOPE"])
			stored := h.storedOAuth("remote")
			assert.Equal(t, oauthClientSecret, stored["OAUTH_CLIENT_SECRET"])
			assert.Equal(t, oauthBearer, stored["OAUTH_CUSTOM_HEADERS"].(map[string]any)["Authorization"])
			assert.Equal(t, "read", stored["OAUTH_SCOPE"])

			edited["OAUTH_CLIENT_SECRET"] = "a-new-client-secret-0000"
			h.must(http.StatusOK, h.do("PUT", base+"/remote", map[string]any{"oauth_config": edited}))
			assert.Equal(t, "a-new-client-secret-0000", h.storedOAuth("remote")["OAUTH_CLIENT_SECRET"], "a new secret replaces")

			h.must(http.StatusOK, h.do("PUT", base+"/remote", `{"description": "kept", "oauth_config": null}`))
			assert.Equal(t, "a-new-client-secret-0000", h.storedOAuth("remote")["OAUTH_CLIENT_SECRET"], "null keeps it")
		})

		t.Run("exported whole to the file, masked in the answer, and imported back", func(t *testing.T) {
			res := h.must(http.StatusOK, h.do("POST", "/api/v1/configs/cfg/export", map[string]string{"output_file": "cfg.json"}))
			assert.NotContains(t, string(res.Raw), "a-new-client-secret-0000")
			data, err := os.ReadFile(filepath.Join(h.dataDir, "cfg.json"))
			require.NoError(t, err)
			assert.NotContains(t, string(data), "a-new-client-secret-0000", "the file holds the secrets sealed")
			assert.Contains(t, string(data), `"OAUTH_CLIENT_SECRET": "smgsealed:v1:`)
			h.must(http.StatusCreated, h.do("POST", "/api/v1/configs/import", map[string]string{"config_name": "again", "input_file": "cfg.json"}))
			assert.Equal(t, "a-new-client-secret-0000", h.storedOAuth("remote")["OAUTH_CLIENT_SECRET"])
			copied := h.must(http.StatusOK, h.do("GET", "/api/v1/configs/again/servers/remote", nil))
			assert.Equal(t, "read", copied.data()["oauth_config"].(map[string]any)["OAUTH_SCOPE"])
			project := h.must(http.StatusOK, h.do("POST", "/api/v1/projects/p/export", map[string]string{"output_file": "p.json"}))
			assert.NotContains(t, string(project.Raw), "a-new-client-secret-0000")
		})

		t.Run("backup carries it and restore brings it back", func(t *testing.T) {
			h.must(http.StatusOK, h.do("POST", "/api/v1/system/backup", map[string]string{"output_file": "b.json"}))
			h.must(http.StatusOK, h.do("PUT", base+"/remote", `{"oauth_config": {}}`))
			gone := h.must(http.StatusOK, h.do("GET", base+"/remote", nil))
			assert.NotContains(t, gone.data(), "oauth_config", "{} removes it")
			h.must(http.StatusOK, h.do("POST", "/api/v1/system/restore", map[string]string{"input_file": "b.json"}))
			back := h.must(http.StatusOK, h.do("GET", base+"/remote", nil))
			assert.Equal(t, "****0000", back.data()["oauth_config"].(map[string]any)["OAUTH_CLIENT_SECRET"])
			assert.Equal(t, "a-new-client-secret-0000", h.storedOAuth("remote")["OAUTH_CLIENT_SECRET"])
		})
	})
}

func TestServerOAuthConfigBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedConfig("cfg", "github")
	base := "/api/v1/configs/cfg/servers"
	deep := `{"a": ` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}`
	for _, tc := range []struct {
		name, method, path, body, detail string
	}{
		{"add: not an object", "POST", base, `{"server_name": "x", "server_command": "npx", "oauth_config": "secret"}`, "oauth_config must be of type object, not string"},
		{"add: a list", "POST", base, `{"server_name": "x", "server_command": "npx", "oauth_config": [1]}`, "oauth_config must be of type object, not array"},
		{"add: nested too deep", "POST", base, `{"server_name": "x", "server_command": "npx", "oauth_config": ` + deep + `}`, "oauth_config nests deeper than 64 levels"},
		{"update: not an object", "PUT", base + "/github", `{"oauth_config": true}`, "oauth_config must be of type object, not boolean"},
		{"update: nested too deep", "PUT", base + "/github", `{"oauth_config": ` + deep + `}`, "oauth_config nests deeper than 64 levels"},
		{"update: nothing to change", "PUT", base + "/github", `{"oauth_config": null}`, "oauth_config"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assertError(t, h.do(tc.method, tc.path, tc.body), http.StatusBadRequest, "invalid", tc.detail)
		})
	}
	assertError(t, h.do("PUT", base+"/nope", `{"oauth_config": {}}`), http.StatusNotFound, "not_found", "nope")
	got := h.must(http.StatusOK, h.do("GET", base+"/github", nil))
	assert.NotContains(t, got.data(), "oauth_config", "nothing was stored")
}
