package controllers_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	upstreamOnce sync.Once
	upstreamPath string
	upstreamErr  error
)

// testUpstream is a small MCP server (echo, add, …), built once per run.
func testUpstream(t *testing.T) string {
	t.Helper()
	upstreamOnce.Do(func() {
		dir, err := os.MkdirTemp("", "smg-controllers-upstream-")
		if err != nil {
			upstreamErr = err
			return
		}
		upstreamPath = filepath.Join(dir, "upstream")
		out, err := exec.Command("go", "build", "-o", upstreamPath, "../gateway/upstream/testdata/upstream").CombinedOutput()
		if err != nil {
			upstreamErr = err
			t.Log(string(out))
		}
	})
	require.NoError(t, upstreamErr)
	return upstreamPath
}

func TestGatewayStatus(t *testing.T) {
	h := newHarness(t)
	res := h.must(http.StatusOK, h.do("GET", "/api/v1/gateway/status", nil))
	assert.Equal(t, "Gateway status retrieved successfully", res.Body["message"])
	assert.Equal(t, false, res.data()["serving"], "the harness serves the management API alone")
	assert.Equal(t, []any{}, res.data()["processes"])
	assert.Equal(t, http.StatusUnauthorized, h.doWith("GET", "/api/v1/gateway/status", nil, nil).Code)
}

func TestDiscoverServerTools(t *testing.T) {
	h := newHarness(t)
	h.seedConfig("cfg")
	h.must(http.StatusCreated, h.do("POST", "/api/v1/configs/cfg/servers", map[string]any{
		"server_name": "tester", "server_command": testUpstream(t), "args": []string{"serve"}}))
	h.must(http.StatusCreated, h.do("POST", "/api/v1/configs/cfg/servers", map[string]any{
		"server_name": "missing", "server_command": "/nonexistent/mcp-server", "env": map[string]string{"TOKEN": "secret-token-value"}}))

	res := h.must(http.StatusOK, h.do("POST", "/api/v1/configs/cfg/servers/tester/discover", nil))
	data := res.data()
	assert.Equal(t, true, data["ok"])
	assert.Equal(t, "tester", data["server_name"])
	var names []string
	for _, tool := range data["tools"].([]any) {
		names = append(names, tool.(map[string]any)["name"].(string))
	}
	assert.Contains(t, names, "echo")
	assert.Equal(t, float64(len(names)), data["tool_count"])

	res = h.must(http.StatusOK, h.do("POST", "/api/v1/configs/cfg/servers/missing/discover", nil))
	assert.Equal(t, "Server could not be started", res.Body["message"])
	assert.Equal(t, false, res.data()["ok"])
	assert.Contains(t, res.data()["error"], "failed to start")
	assert.NotContains(t, string(res.Raw), "secret-token-value")

	h.must(http.StatusNotFound, h.do("POST", "/api/v1/configs/cfg/servers/nope/discover", nil))
	h.must(http.StatusNotFound, h.do("POST", "/api/v1/configs/nope/servers/tester/discover", nil))
	status := h.must(http.StatusOK, h.do("GET", "/api/v1/gateway/status", nil))
	assert.Equal(t, []any{}, status.data()["processes"], "a discovery's process is gone once it answered")
}
