package controllers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/securemcp/gateway/controllers"
)

func TestAdminAuth(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cases := []struct {
		name   string
		header string
		detail string
	}{
		{"missing", "", "missing bearer token"},
		{"wrong scheme", "Basic " + testAdminKey, "missing bearer token"},
		{"no token", "Bearer ", "missing bearer token"},
		{"wrong key", "Bearer not-the-key", "invalid admin API key"},
		{"key prefix", "Bearer " + testAdminKey[:10], "invalid admin API key"},
		{"key with suffix", "Bearer " + testAdminKey + "x", "invalid admin API key"},
		{"gateway key is not admin", "Bearer smg_0123456789abcdef0123456789abcdef0123456789", "invalid admin API key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			headers := map[string]string{}
			if tc.header != "" {
				headers["Authorization"] = tc.header
			}
			res := h.doWith("GET", "/api/v1/configs", nil, headers)
			assertError(t, res, http.StatusUnauthorized, "unauthorized", tc.detail)
			assert.Contains(t, res.Header.Get("WWW-Authenticate"), "Bearer")
		})
	}
	t.Run("lower-case scheme accepted", func(t *testing.T) {
		h.must(http.StatusOK, h.doWith("GET", "/api/v1/configs", nil, map[string]string{"Authorization": "bearer " + testAdminKey}))
	})
	t.Run("health is public", func(t *testing.T) {
		res := h.must(http.StatusOK, h.doWith("GET", "/health", nil, nil))
		assert.Equal(t, "API server is healthy", res.Body["message"])
		assert.Equal(t, map[string]any{"version": "test", "config_path": "/etc/gateway.json"}, res.data())
	})
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	res := h.do("GET", "/api/v1/configs", nil)
	generated := res.Header.Get("X-Request-ID")
	assert.Regexp(t, `^[0-9a-f-]{36}$`, generated)
	res = h.doWith("GET", "/api/v1/configs", nil, map[string]string{"Authorization": "Bearer " + testAdminKey, "X-Request-ID": "client-id-42"})
	assert.Equal(t, "client-id-42", res.Header.Get("X-Request-ID"))
	res = h.doWith("GET", "/nope", nil, map[string]string{"X-Request-ID": "bad id with spaces"})
	assert.NotEqual(t, "bad id with spaces", res.Header.Get("X-Request-ID"), "unsafe ids are replaced")
	assert.Equal(t, res.Header.Get("X-Request-ID"), res.Body["request_id"], "errors carry the request id")
	long := strings.Repeat("a", 129)
	res = h.doWith("GET", "/health", nil, map[string]string{"X-Request-ID": long})
	assert.NotEqual(t, long, res.Header.Get("X-Request-ID"))
}

func TestUnknownRouteAndMethod(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	assertError(t, h.do("GET", "/api/v1/nothing-here", nil), http.StatusNotFound, "not_found", "/api/v1/nothing-here")
	assertError(t, h.do("GET", "/nothing", nil), http.StatusNotFound, "not_found")
	res := h.do("PATCH", "/api/v1/configs", nil)
	assertError(t, res, http.StatusMethodNotAllowed, "method_not_allowed", "PATCH")
	assert.Equal(t, "GET, POST, HEAD", res.Header.Get("Allow"), "a 405 names the methods the path serves")
	res = h.doWith("DELETE", "/health", nil, nil)
	assertError(t, res, http.StatusMethodNotAllowed, "method_not_allowed")
	assert.Equal(t, "GET, HEAD", res.Header.Get("Allow"))
}

func TestHeadIsAnsweredLikeGet(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedConfig("probe", "s")
	res := h.doWith("HEAD", "/health", nil, nil)
	assert.Equal(t, http.StatusOK, res.Code)
	assert.Equal(t, "application/json; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Equal(t, http.StatusOK, h.do("HEAD", "/api/v1/configs/probe", nil).Code)
	assertError(t, h.doWith("HEAD", "/api/v1/configs/probe", nil, nil), http.StatusUnauthorized, "unauthorized")
	assertError(t, h.do("HEAD", "/api/v1/configs/none", nil), http.StatusNotFound, "not_found")
	res = h.do("HEAD", "/api/v1/system/backup", nil)
	assertError(t, res, http.StatusMethodNotAllowed, "method_not_allowed", "method HEAD is not allowed")
	assertError(t, h.do("HEAD", "/api/v1/nothing", nil), http.StatusNotFound, "not_found", "no route for HEAD")
}

func TestATrailingSlashIsNeverRedirectedToAnotherResource(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedConfig("keep", "a", "b")
	for _, r := range []struct{ method, path string }{
		{"DELETE", "/api/v1/configs/keep/servers/"},
		{"DELETE", "/api/v1/configs/keep/"},
		{"GET", "/api/v1/configs/"},
		{"GET", "/health/"},
	} {
		res := h.do(r.method, r.path, nil)
		assertError(t, res, http.StatusNotFound, "not_found", r.path)
		assert.Empty(t, res.Header.Get("Location"), "%s %s", r.method, r.path)
	}
	assert.Len(t, h.must(http.StatusOK, h.do("GET", "/api/v1/configs/keep/servers", nil)).list(), 2, "nothing was deleted")
	for _, name := range []string{".", ".."} {
		assertError(t, h.do("POST", "/api/v1/configs/keep/servers", map[string]string{"server_name": name, "server_command": "npx"}), 400, "invalid", `must not be "." or ".."`)
		assertError(t, h.do("POST", "/api/v1/configs", map[string]string{"config_name": name}), 400, "invalid", `must not be "." or ".."`)
	}
	id := h.must(http.StatusOK, h.do("GET", "/api/v1/configs/keep", nil)).data()["mcp_config_id"].(string)
	assertError(t, h.do("POST", "/api/v1/configs", map[string]string{"config_name": id}), 400, "invalid", "form of an id")
	assertError(t, h.do("PUT", "/api/v1/configs/keep/rename", map[string]string{"new_name": id}), 400, "invalid", "form of an id")
	assertError(t, h.do("POST", "/api/v1/projects", map[string]string{"project_name": id}), 400, "invalid", "form of an id")
}

func TestRequestTheClientAbandonedIsNotAServerError(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zapcore.DebugLevel)
	h := newHarnessWith(t, nil, func(d *controllers.Deps) { d.Log = zap.New(core) })
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the client is gone before the store is asked
	req := httptest.NewRequestWithContext(ctx, "GET", "/api/v1/configs", nil)
	req.Header.Set("Authorization", "Bearer "+testAdminKey)
	rec := httptest.NewRecorder()
	h.router.ServeHTTP(rec, req)
	assert.Equal(t, 499, rec.Code, "the status proxies use for a request the client closed")
	assert.Zero(t, rec.Body.Len(), "nobody reads an answer")
	assert.Zero(t, logs.FilterLevelExact(zapcore.ErrorLevel).Len(), "no error is logged: %v", logs.All())
	require.Equal(t, 1, logs.FilterMessage("request").Len())
	assert.Equal(t, int64(499), logs.FilterMessage("request").All()[0].ContextMap()["status"])
}

func TestCORS(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	preflight := h.doWith("OPTIONS", "/api/v1/configs", nil, map[string]string{
		"Origin": "https://admin.example.com", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Authorization, Content-Type",
	})
	require.Equal(t, http.StatusNoContent, preflight.Code)
	assert.Equal(t, "*", preflight.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, preflight.Header.Get("Access-Control-Allow-Methods"), "POST")
	assert.Contains(t, preflight.Header.Get("Access-Control-Allow-Headers"), "Authorization")
	assert.Empty(t, preflight.Header.Get("Access-Control-Allow-Credentials"), "no credentials mode with *")
	res := h.doWith("GET", "/health", nil, map[string]string{"Origin": "https://admin.example.com"})
	assert.Equal(t, "*", res.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, res.Header.Get("Access-Control-Expose-Headers"), "X-Total-Count")
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	big := `{"config_name": "` + strings.Repeat("x", 2<<20) + `"}`
	assertError(t, h.do("POST", "/api/v1/configs", big), http.StatusRequestEntityTooLarge, "payload_too_large", "1048576")
	// Without a declared length the limit applies while reading.
	res := h.doChunked("POST", "/api/v1/configs", big)
	assertError(t, res, http.StatusRequestEntityTooLarge, "payload_too_large", "1048576")
}

func TestStorageFailureIs500WithoutInternals(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	require.NoError(t, h.store.Close())
	res := h.do("GET", "/api/v1/configs", nil)
	assertError(t, res, http.StatusInternalServerError, "internal_error", "request "+res.Header.Get("X-Request-ID"))
	assert.NotContains(t, strings.ToLower(string(res.Raw)), "sql")
}
