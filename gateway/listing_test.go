package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/gateway/upstream"
	"github.com/securemcp/gateway/models"
)

// toolChecks counts the enforcer's tool checks, one per server per table
// built.
type toolChecks struct {
	PassThrough
	mu sync.Mutex
	n  map[string]int
}

func (c *toolChecks) Tools(ctx context.Context, p Principal, s models.Server, tools []*mcp.Tool) []*mcp.Tool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[s.Name]++
	return tools
}

func (c *toolChecks) count(server string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[server]
}

// TestListToolsKeepsItsTableWhileTheListsHold: a tools/list answers from the
// kept table while every server hands back the list the table was built
// from, and rebuilds it (checks included) as soon as one changes or a
// server is unreachable.
func TestListToolsKeepsItsTableWhileTheListsHold(t *testing.T) {
	t.Parallel()
	checks := &toolChecks{}
	g := newTestGateway(t, ToolsBoth, checks, server("a"), server("b"))
	g.up.tools["a"], g.up.tools["b"] = tools("x"), tools("y")
	ctx, p := context.Background(), principal("u1")
	first, err := g.ListTools(ctx, p)
	require.NoError(t, err)
	for range 3 {
		again, err := g.ListTools(ctx, p)
		require.NoError(t, err)
		assert.Equal(t, first, again)
	}
	assert.Equal(t, 1, checks.count("a"), "one table built, one check per server")

	g.up.mu.Lock()
	g.up.tools["a"] = tools("x", "x2") // the server announced a change: the pool lists anew
	g.up.mu.Unlock()
	grown, err := g.ListTools(ctx, p)
	require.NoError(t, err)
	assert.Contains(t, toolNames(grown), "a__x2")
	assert.Equal(t, 2, checks.count("a"))
	assert.Equal(t, 2, checks.count("b"), "every server's tools are checked for the new table")

	g.up.mu.Lock()
	g.up.fail["b"] = upstream.ErrStartFailed
	g.up.mu.Unlock()
	for range 2 {
		partial, err := g.ListTools(ctx, p)
		require.NoError(t, err)
		assert.NotContains(t, toolNames(partial), "b__y")
	}
	assert.Equal(t, 4, checks.count("a"), "a table missing a server is rebuilt at every listing, so the server is tried again")

	g.up.mu.Lock()
	delete(g.up.fail, "b")
	g.up.mu.Unlock()
	back, err := g.ListTools(ctx, p)
	require.NoError(t, err)
	assert.Contains(t, toolNames(back), "b__y")

	other, err := g.ListTools(ctx, principal("u2"))
	require.NoError(t, err)
	assert.Equal(t, toolNames(back), toolNames(other))
	assert.Equal(t, 6, checks.count("a"), "each user has a table of their own")
}

// TestListToolsJSONIsWhatTheSDKWouldSend: the tools/list result encoded
// once per table has the very bytes the SDK writes for the listed tools, in
// every tool mode, and is encoded once.
func TestListToolsJSONIsWhatTheSDKWouldSend(t *testing.T) {
	t.Parallel()
	tool := &mcp.Tool{Name: "t", Description: "a <b> & c",
		InputSchema: map[string]any{"type": "object", "properties": map[string]any{
			"z": map[string]any{"type": "string", "pattern": "^<[a-z]+>&$"}, "a": map[string]any{"type": "integer", "maximum": 1e21}}},
		OutputSchema: map[string]any{"type": "object"}}
	plain := &mcp.Tool{Name: "p", InputSchema: map[string]any{"type": "object"}} // no output schema
	for _, mode := range []ToolMode{ToolsFlat, ToolsOriginal, ToolsBoth} {
		g := newTestGateway(t, mode, nil, server("s"))
		g.up.tools["s"] = []*mcp.Tool{tool, plain}
		ctx, p := context.Background(), principal("u1")
		listed, err := g.ListTools(ctx, p)
		require.NoError(t, err)
		raw, err := g.ListToolsJSON(ctx, p, false)
		require.NoError(t, err)
		assert.Equal(t, sdkEncode(t, &mcp.ListToolsResult{Tools: listed}), string(raw)+"\n", mode)
		again, err := g.ListToolsJSON(ctx, p, false)
		require.NoError(t, err)
		assert.Same(t, &raw[0], &again[0], "encoded once")
		sessionless, err := g.ListToolsJSON(ctx, p, true)
		require.NoError(t, err)
		decorated := &mcp.ListToolsResult{Tools: listed, Meta: mcp.Meta{mcp.MetaKeyServerInfo: g.ServerInfo()}}
		decorated.ResultType = "complete"
		assert.Equal(t, sdkEncode(t, decorated), string(sessionless)+"\n", mode)
	}
}

// sdkEncode encodes v as the SDK writes its messages.
func sdkEncode(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return buf.String()
}
