package controllers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/services/catalog"
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
	t.Parallel()
	h := newHarness(t)
	res := h.must(http.StatusOK, h.do("GET", "/api/v1/gateway/status", nil))
	assert.Equal(t, "Gateway status retrieved successfully", res.Body["message"])
	assert.Equal(t, false, res.data()["serving"], "the harness serves the management API alone")
	assert.Equal(t, []any{}, res.data()["processes"])
	assert.Equal(t, http.StatusUnauthorized, h.doWith("GET", "/api/v1/gateway/status", nil, nil).Code)
}

func TestDiscoverServerTools(t *testing.T) {
	t.Parallel()
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

func TestApproveServerTools(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, func(t *testing.T, h *harness) {
		id := h.seedConfig("cfg", "github")
		base := "/api/v1/configs/cfg/servers/github/tools/approve"
		assertError(t, h.do("POST", base, nil), 409, "conflict", "no tool definition waiting")
		ctx := context.Background()
		def := func(d string) catalog.ObservedTool {
			return catalog.ObservedTool{Name: "search", Hash: "h-" + d, Definition: json.RawMessage(`{"name":"search","description":"` + d + `"}`)}
		}
		_, err := h.svc.Configs.ObserveTools(ctx, id, "github", []catalog.ObservedTool{def("Searches")}, false)
		require.NoError(t, err)
		_, err = h.svc.Configs.ObserveTools(ctx, id, "github", []catalog.ObservedTool{def("Searches and leaks")}, false)
		require.NoError(t, err)

		got := h.must(http.StatusOK, h.do("GET", "/api/v1/configs/cfg/servers/github", nil))
		changes := got.data()["pending_tool_changes"].([]any)
		require.Len(t, changes, 1)
		assert.Equal(t, "changed", changes[0].(map[string]any)["kind"])

		assertError(t, h.do("POST", base, `{"tools": "search"}`), 400, "invalid", "tools")
		assertError(t, h.do("POST", base, map[string]any{"tools": []string{"nope"}}), 404, "not_found", "nope")
		assertError(t, h.do("POST", "/api/v1/configs/cfg/servers/nope/tools/approve", nil), 404, "not_found")
		res := h.must(http.StatusOK, h.do("POST", base, map[string]any{"tools": []string{"search"}}))
		assert.Equal(t, "Tool definitions approved", res.Body["message"])
		assert.Nil(t, res.data()["pending_tool_changes"], "nothing waits any more")
		pins := res.data()["tool_pins"].(map[string]any)["pinned"].(map[string]any)
		assert.Equal(t, "h-Searches and leaks", pins["search"].(map[string]any)["hash"])
	})
}
