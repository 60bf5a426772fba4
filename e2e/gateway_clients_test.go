package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A client that starts stdio servers only (Claude Desktop) reaches the
// gateway through `mcp bridge`, with the key from the environment, as the
// entry `install --client claude-desktop` writes.
func TestStdioClientThroughTheBridge(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	g := startGateway(t, home)
	key := g.quickStart(map[string]any{"server_name": "tester", "server_command": testUpstream(t), "args": []string{"serve"}})

	// install writes the entry that runs the bridge; run exactly that.
	configFile := filepath.Join(home, "claude_desktop_config.json")
	require.NoError(t, os.WriteFile(configFile, []byte(`{"mcpServers": {"other": {"command": "npx", "args": ["x"]}}, "theme": "dark"}`), 0o600))
	res, err := runCLI(append(cleanEnv(), "HOME="+home), key+"\n", "install", "--client", "claude-desktop",
		"--api-key", "-", "--url", g.mcpURL, "--config-file", configFile)
	require.NoError(t, err)
	require.Equal(t, 0, res.code, res.stderr)
	data, err := os.ReadFile(configFile)
	require.NoError(t, err)
	var doc struct {
		MCPServers map[string]struct {
			Command string            `json:"command"`
			Args    []string          `json:"args"`
			Env     map[string]string `json:"env"`
		} `json:"mcpServers"`
		Theme string `json:"theme"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	assert.Equal(t, "dark", doc.Theme, "the rest of the file is kept")
	assert.Contains(t, doc.MCPServers, "other")
	entry := doc.MCPServers["secure-mcp-gateway"]
	assert.Equal(t, key, entry.Env["ENKRYPT_GATEWAY_KEY"])
	info, err := os.Stat(configFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the file holds the key")
	backups, err := filepath.Glob(configFile + ".bak-*")
	require.NoError(t, err)
	assert.Len(t, backups, 1, "the previous file is saved")

	assert.Equal(t, binary, entry.Command, "the entry runs this binary")
	cmd := exec.Command(entry.Command, entry.Args...)
	cmd.Env = append(cleanEnv(), "HOME="+home, "ENKRYPT_GATEWAY_KEY="+entry.Env["ENKRYPT_GATEWAY_KEY"])
	client := mcp.NewClient(&mcp.Implementation{Name: "desktop", Version: "1"}, nil)
	session, err := client.Connect(context.Background(), &mcp.CommandTransport{Command: cmd}, nil)
	require.NoError(t, err)
	defer session.Close()
	out, err := session.CallTool(context.Background(), &mcp.CallToolParams{Name: "tester__add", Arguments: map[string]any{"a": 20, "b": 22}})
	require.NoError(t, err)
	assert.Equal(t, "42", toolText(t, out))
}

// With --metrics, tool calls and upstream processes are counted.
func TestGatewayMetrics(t *testing.T) {
	t.Parallel()
	g := startGatewayArgs(t, t.TempDir(), []string{"--metrics"})
	key := g.quickStart(map[string]any{"server_name": "tester", "server_command": testUpstream(t), "args": []string{"serve"}})
	session, err := mcpSession(t, g.mcpURL, key)
	require.NoError(t, err)
	_, err = session.CallTool(context.Background(), &mcp.CallToolParams{Name: "tester__add", Arguments: map[string]any{"a": 1, "b": 2}})
	require.NoError(t, err)

	req, err := http.NewRequest("GET", g.base+"/metrics", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+g.key)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	text := string(body)
	assert.Contains(t, text, `smg_gateway_tool_calls_total{outcome="ok",server="tester"} 1`)
	assert.Contains(t, text, `smg_gateway_upstream_processes{state="ready"} 1`)
	assert.Contains(t, text, `smg_gateway_upstream_process_events_total{kind="started",server="tester"} 1`)
	assert.Contains(t, text, "smg_gateway_tool_call_duration_seconds_bucket")
}
