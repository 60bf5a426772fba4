package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestToolCallsAreAuditedAndNoneLostOnShutdown makes tool calls (allowed and
// refused), stops the server at once with SIGTERM, and finds every call in
// the audit trail: records batched but not yet stored are stored on a clean
// shutdown. Arguments are kept only as their hash.
func TestToolCallsAreAuditedAndNoneLostOnShutdown(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	g := startGateway(t, home)
	key := g.quickStart(map[string]any{"server_name": "tester", "server_command": testUpstream(t), "args": []string{"serve"}})
	session, err := mcpSession(t, g.mcpURL, key)
	require.NoError(t, err)
	ctx := context.Background()
	// The server is started by the first call: the concurrent ones come after.
	_, err = session.CallTool(ctx, &mcp.CallToolParams{Name: "tester__echo", Arguments: map[string]any{"message": "warm-up"}})
	require.NoError(t, err)

	const calls = 40
	var wg sync.WaitGroup
	for i := 0; i < calls; i++ {
		wg.Go(func() {
			res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "tester__echo",
				Arguments: map[string]any{"message": fmt.Sprintf("private-argument-%d", i)}})
			if assert.NoError(t, err) {
				assert.False(t, res.IsError)
			}
		})
	}
	wg.Wait()
	_, err = session.CallTool(ctx, &mcp.CallToolParams{Name: "tester__nope"})
	require.Error(t, err, "an unknown tool is refused")
	require.NoError(t, g.stop())

	cmd := exec.Command(binary, "audit", "list", "--action", "tool.call", "--limit", "1000")
	cmd.Env = append(cleanEnv(), "HOME="+home)
	out, err := cmd.Output()
	require.NoError(t, err, "%s", out)
	var doc struct {
		Data []struct {
			Actor   map[string]string `json:"actor"`
			Entity  map[string]string `json:"entity"`
			Outcome string            `json:"outcome"`
			Details struct {
				ArgsHash string  `json:"args_hash"`
				Reason   string  `json:"reason"`
				TotalMs  float64 `json:"total_ms"`
			} `json:"details"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(out, &doc))
	require.Len(t, doc.Data, calls+2, "every call acknowledged before the shutdown is recorded")
	assert.NotContains(t, string(out), "private-argument", "arguments are never stored in clear")
	hashes := map[string]bool{}
	refused := 0
	for _, r := range doc.Data {
		assert.Equal(t, "gateway_key", r.Actor["kind"])
		assert.NotEmpty(t, r.Actor["id"])
		assert.NotEmpty(t, r.Actor["user_id"])
		assert.NotEmpty(t, r.Actor["project_id"])
		assert.Len(t, r.Details.ArgsHash, 64)
		hashes[r.Details.ArgsHash] = true
		if r.Outcome == "refused" {
			refused++
			assert.Equal(t, "unknown_tool", r.Details.Reason)
			continue
		}
		assert.Equal(t, "success", r.Outcome)
		assert.Equal(t, "tester/echo", r.Entity["id"])
		assert.Positive(t, r.Details.TotalMs)
	}
	assert.Equal(t, 1, refused)
	assert.Len(t, hashes, calls+2, "each call's arguments hash apart")

	verify := exec.Command(binary, "audit", "verify")
	verify.Env = append(cleanEnv(), "HOME="+home)
	out, err = verify.CombinedOutput()
	require.NoError(t, err, "%s", out)
}
