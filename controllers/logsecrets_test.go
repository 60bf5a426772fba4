package controllers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
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
// key, with wrong keys, with valid, empty and malformed bodies, and on a broken
// store (500s) — and fails if any log line carries a secret.
func TestNoSecretInAnyLogLine(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	h := newHarnessWith(t, nil, func(d *controllers.Deps) {
		d.Log = zap.New(core)
		d.AuthLimiter = nil // the router's default throttle
	})
	h.seedConfig("logged", "github")
	secrets := []string{testAdminKey}

	params := map[string]string{":config": "logged", ":server": "github"}
	bodies := []any{nil, "{}", `{"config_name": "x"`, `[1, 2]`, map[string]any{
		"config_name": "logged-2", "new_name": "logged-3", "source_config": "logged", "target_config": "logged-4",
		"server_name": "s2", "server_command": "npx", "output_file": "out.json", "input_file": "out.json",
		"search_term": "log", "email": "someone@example.com", "project_name": "p", "api_key": "x",
		"policy": map[string]any{"enabled": true, "policy_name": "p"},
	}}
	var routes []string
	for _, r := range h.router.Routes() {
		path := r.Path
		for name, value := range params {
			path = strings.ReplaceAll(path, name, value)
		}
		path = strings.NewReplacer(":project", "p", ":user", "someone@example.com", ":api_key", "k").Replace(path)
		routes = append(routes, r.Method+" "+path)
	}
	exercise := func() map[int]int {
		statuses := map[int]int{}
		for _, route := range routes {
			method, path, _ := strings.Cut(route, " ")
			for _, body := range bodies {
				statuses[h.do(method, path, body).Code]++
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

	wrong := []string{testAdminKey + "x", testAdminKey[:len(testAdminKey)-1], "smg_" + strings.Repeat("a", 43), "wrong"}
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
