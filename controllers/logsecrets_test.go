package controllers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/securemcp/gateway/controllers"
)

// TestNoSecretInAnyLogLine drives every route of the router — with the admin
// key, with wrong keys (a user's API key among them), with valid, empty and
// malformed bodies, with a key secret in paths and bodies, and on a broken
// store (500s) — and fails if any log line carries the admin key, an API key
// secret (issued or handed out by a rotation) or the guardrails provider key.
func TestNoSecretInAnyLogLine(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zapcore.DebugLevel)
	h := newHarnessWith(t, nil, func(d *controllers.Deps) {
		d.Log = zap.New(core)
		d.AuthLimiter = nil // the router's default throttle
	})
	h.seedConfig("logged", "github")
	h.must(http.StatusCreated, h.do("POST", "/api/v1/projects", map[string]string{"project_name": "p"}))
	h.must(http.StatusOK, h.do("POST", "/api/v1/projects/p/assign-config", map[string]string{"config_name": "logged"}))
	h.must(http.StatusCreated, h.do("POST", "/api/v1/users", map[string]string{"email": "someone@example.com"}))
	h.must(http.StatusCreated, h.do("POST", "/api/v1/projects/p/users", map[string]string{"email": "someone@example.com"}))
	key := h.must(http.StatusCreated, h.do("POST", "/api/v1/users/someone@example.com/api-keys", map[string]string{"project_name": "p"}))
	secret, _ := key.data()["api_key"].(string)
	require.NotEmpty(t, secret)
	const providerKey = "ek-provider-secret-0123456789abcdef"
	h.must(http.StatusOK, h.do("PUT", "/api/v1/settings/enkrypt-api-key", map[string]string{"api_key": providerKey}))
	const oauthSecret = "oauth-client-secret-0123456789abcdef"
	admin := h.must(http.StatusCreated, h.do("POST", "/api/v1/admin-keys", map[string]string{"name": "logged-admin", "role": "operator"}))
	adminSecret, _ := admin.data()["api_key"].(string)
	require.NotEmpty(t, adminSecret)
	secrets := []string{testAdminKey, secret, providerKey, oauthSecret, adminSecret}
	// Secrets that responses hand out later (rotations) are watched for too.
	handedOut := regexp.MustCompile(`"api_key":"([^"]{20,})"`)

	params := map[string]string{":config": "logged", ":server": "github", ":project": "p", ":user": "someone@example.com", ":api_key": secret, ":admin_key": adminSecret}
	bodies := []any{nil, "{}", `{"config_name": "x"`, `[1, 2]`, map[string]any{
		"config_name": "logged-2", "new_name": "logged-3", "source_config": "logged", "target_config": "logged-4",
		"server_name": "s2", "server_command": "npx", "output_file": "out.json", "input_file": "out.json",
		"search_term": "log", "email": "someone@example.com", "project_name": "p", "api_key": secret,
		"name": "logged-admin-2", "role": "viewer",
		"policy":       map[string]any{"enabled": true, "policy_name": "p"},
		"oauth_config": map[string]any{"enabled": true, "OAUTH_CLIENT_SECRET": oauthSecret},
	}}
	var routes []string
	for _, r := range h.routes {
		path := r.Path
		for name, value := range params {
			path = strings.ReplaceAll(path, name, value)
		}
		routes = append(routes, r.Method+" "+path)
	}
	exercise := func() map[int]int {
		statuses := map[int]int{}
		for _, route := range routes {
			method, path, _ := strings.Cut(route, " ")
			for _, body := range bodies {
				res := h.do(method, path, body)
				statuses[res.Code]++
				for _, m := range handedOut.FindAllSubmatch(res.Raw, -1) {
					secrets = append(secrets, string(m[1]))
				}
			}
		}
		return statuses
	}
	ok := exercise()
	assert.Positive(t, ok[http.StatusOK]+ok[http.StatusCreated])
	assert.Positive(t, ok[http.StatusBadRequest])

	require.NoError(t, h.store.Close())
	broken := exercise()
	assert.Positive(t, broken[http.StatusInternalServerError], "a closed store makes the routes fail: %v", broken)
	assert.Positive(t, logs.FilterMessage("request failed").Len(), "the causes of 500s are logged")

	// The named admin key meets the closed store: a 500 (not a refusal) whose cause is logged.
	assertError(t, h.doWith("GET", "/api/v1/configs", nil, map[string]string{"Authorization": "Bearer " + adminSecret}),
		http.StatusInternalServerError, "internal_error")
	wrong := []string{testAdminKey + "x", testAdminKey[:len(testAdminKey)-1], "smg_" + strings.Repeat("a", 43), "wrong", secret,
		adminSecret, adminSecret[:len(adminSecret)-1] + "x", "smgadm_" + strings.Repeat("a", 49)}
	for i := 0; i < 4; i++ {
		for _, key := range wrong {
			h.doWith("GET", "/api/v1/configs", nil, map[string]string{"Authorization": "Bearer " + key})
		}
	}
	assert.Positive(t, logs.FilterField(zap.Int("status", http.StatusTooManyRequests)).Len(), "the throttle was exercised too")
	secrets = append(secrets, wrong...)

	require.Greater(t, logs.Len(), len(routes)*len(bodies))
	for _, entry := range logs.All() {
		fields, err := json.Marshal(entry.ContextMap())
		require.NoError(t, err)
		line := entry.Message + " " + string(fields)
		for _, secret := range secrets {
			require.NotContains(t, line, secret, fmt.Sprintf("a log line carries a secret: %s", line))
		}
	}
}
