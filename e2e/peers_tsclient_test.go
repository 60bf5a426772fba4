package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTypeScriptClientThroughTheGateway runs the Quick Start through the API,
// then the official TypeScript SDK's client connects with the generated key —
// in each header the gateway reads — lists the tools and calls them, with
// progress; a refused key fails the connection with the gateway's reason.
// Stateless (the default) and stateful.
func TestTypeScriptClientThroughTheGateway(t *testing.T) {
	t.Parallel()
	p := requirePeers(t)
	for _, stateful := range []bool{false, true} {
		t.Run(fmt.Sprintf("stateful=%v", stateful), func(t *testing.T) {
			t.Parallel()
			var flags []string
			if stateful {
				flags = []string{"--mcp-stateful"}
			}
			g := startGatewayArgs(t, t.TempDir(), flags)
			key := g.quickStart(map[string]any{"server_name": "tester", "server_command": testUpstream(t), "args": []string{"serve"}})

			progress := callStep("tester__progress", map[string]any{"steps": 3})
			progress["progress"] = true
			out := p.ts(t, gatewayPlan(g.mcpURL, key,
				listStep(),
				callStep("tester__add", map[string]any{"a": 2, "b": 40}),
				callStep("tester__echo", map[string]any{"n": 1.5, "s": "ü", "list": []any{1, "two"}}),
				progress,
				callStep("enkrypt_list_all_servers", nil),
				callStep("tester__missing", nil),
			))
			require.True(t, out.Connected, "%+v", out.Error)
			assert.Equal(t, "secure-mcp-gateway", out.ServerInfo["name"])
			assert.Equal(t, stateful, out.SessionID != nil, "a session only in stateful mode: %v", out.SessionID)
			require.Len(t, out.Steps, 6)
			for _, step := range out.Steps[:5] {
				require.Nil(t, step.Error, "%s: %+v", step.Name, step.Error)
			}

			tools := out.Steps[0].toolNames()
			for _, name := range []string{"tester__add", "tester__echo", "tester__progress", "enkrypt_list_all_servers", "enkrypt_secure_call_tools"} {
				assert.Contains(t, tools, name)
			}
			assert.Equal(t, map[string]any{"type": "object"}, tools["tester__add"]["inputSchema"], "the upstream's schema")

			add := out.Steps[1].Result
			assert.Equal(t, "42", add["content"].([]any)[0].(map[string]any)["text"])
			assert.Equal(t, map[string]any{"sum": float64(42)}, add["structuredContent"])

			echo := out.Steps[2].Result["content"].([]any)
			kinds := make([]string, len(echo))
			for i, c := range echo {
				kinds[i] = c.(map[string]any)["type"].(string)
			}
			assert.Equal(t, []string{"text", "image", "audio", "resource_link", "resource"}, kinds, "every content kind reaches the client")
			assert.Equal(t, `{"list":[1,"two"],"n":1.5,"s":"ü"}`, echo[0].(map[string]any)["text"], "the arguments reach the server as sent")

			steps := out.Steps[3]
			require.Len(t, steps.Progress, 3, "progress reaches the client's onprogress")
			for i, n := range steps.Progress {
				assert.Equal(t, float64(i+1), n["progress"])
				assert.Equal(t, float64(3), n["total"])
				assert.Equal(t, fmt.Sprintf("step %d", i+1), n["message"])
			}
			assert.Equal(t, "done", steps.Result["content"].([]any)[0].(map[string]any)["text"])

			servers := out.Steps[4].Result["content"].([]any)[0].(map[string]any)["text"].(string)
			assert.Contains(t, servers, "tester", "the original's tools answer too")

			missing := out.Steps[5]
			require.NotNil(t, missing.Error, "an unknown tool is a protocol error")
			assert.Equal(t, float64(-32602), missing.Error.Code)

			// The original system's headers, and refused keys.
			for _, header := range []string{"apikey", "ENKRYPT_GATEWAY_KEY"} {
				plan := gatewayPlan(g.mcpURL, key, callStep("tester__add", map[string]any{"a": 1, "b": 1}))
				plan["header"] = header
				out := p.ts(t, plan)
				require.True(t, out.Connected, "%s: %+v", header, out.Error)
				require.Nil(t, out.Steps[0].Error)
				assert.Equal(t, "2", out.Steps[0].Result["content"].([]any)[0].(map[string]any)["text"], header)
			}
			for name, bad := range map[string]string{"unknown key": "smg_not-a-key", "admin key": g.key} {
				out := p.ts(t, gatewayPlan(g.mcpURL, bad, listStep()))
				require.False(t, out.Connected, name)
				require.NotNil(t, out.Error, name)
				assert.Equal(t, float64(401), out.Error.Code, "%s: %+v", name, out.Error)
				assert.Contains(t, out.Error.Message, "API key", name)
				assert.NotContains(t, out.Error.Message, bad, "the refusal never repeats the key")
			}
			require.NoError(t, g.stop())
			assert.NotContains(t, g.logs.String(), key)
			assert.False(t, strings.Contains(g.logs.String(), `"level":"error"`), "no error logged:\n%s", g.logs.String())
		})
	}
}
