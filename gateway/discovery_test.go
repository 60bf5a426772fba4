package gateway

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/gateway/upstream"
	"github.com/securemcp/gateway/models"
)

// startingUpstreams lists tools as the pool does for servers not started
// yet: a listing waits for the server's start, and a listing that finds no
// kept list reads one (a new slice each time) and keeps it, the last one
// read winning. Servers named in fail never start.
type startingUpstreams struct {
	delay  time.Duration
	tools  map[string][]string
	fail   map[string]bool
	mu     sync.Mutex
	kept   map[string][]*mcp.Tool
	listed map[string]int // upstream listings, by server
}

func (u *startingUpstreams) Tools(ctx context.Context, _ string, s models.Server) ([]*mcp.Tool, error) {
	u.mu.Lock()
	kept := u.kept[s.Name]
	u.mu.Unlock()
	if kept != nil {
		return kept, nil
	}
	select {
	case <-time.After(u.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if u.fail[s.Name] {
		return nil, fmt.Errorf("%w: exit status 2", upstream.ErrStartFailed)
	}
	list := tools(u.tools[s.Name]...)
	u.mu.Lock()
	defer u.mu.Unlock()
	u.kept[s.Name] = list
	u.listed[s.Name]++
	return list, nil
}

func (u *startingUpstreams) Call(_ context.Context, _ string, s models.Server, params *mcp.CallToolParamsRaw, _ ProgressFunc) (*mcp.CallToolResult, error) {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s.Name + ":" + params.Name}}}, nil
}

func TestConcurrentFirstCallsWaitForOneDiscovery(t *testing.T) {
	t.Parallel()
	up := &startingUpstreams{delay: 200 * time.Millisecond, tools: map[string][]string{"slow": {"x", "y"}, "other": {"z"}},
		fail: map[string]bool{"broken": true}, kept: map[string][]*mcp.Tool{}, listed: map[string]int{}}
	catalog := &fakeCatalog{}
	catalog.set("c1", server("slow"), server("other"), server("broken"))
	g, err := New(Options{Catalog: catalog, Upstreams: up, Logger: zap.NewNop(), Mode: ToolsFlat})
	require.NoError(t, err)
	ctx, p := context.Background(), principal("u1")

	const n = 40
	var wg sync.WaitGroup
	results := make([]*mcp.CallToolResult, n)
	errs := make([]error, n)
	listings := make([][]*mcp.Tool, 5)
	for i := range n {
		wg.Go(func() { results[i], errs[i] = g.CallTool(ctx, p, &mcp.CallToolParamsRaw{Name: "slow__x"}, nil) })
	}
	for i := range listings {
		wg.Go(func() {
			var err error
			listings[i], err = g.ListTools(ctx, p)
			assert.NoError(t, err)
		})
	}
	var down *mcp.CallToolResult
	var downErr, unknownErr error
	wg.Go(func() { down, downErr = g.CallTool(ctx, p, &mcp.CallToolParamsRaw{Name: "broken__x"}, nil) })
	wg.Go(func() { _, unknownErr = g.CallTool(ctx, p, &mcp.CallToolParamsRaw{Name: "slow__nope"}, nil) })
	wg.Wait()

	failed := 0
	for i := range n {
		if !assert.NoError(t, errs[i], "call %d", i) || !assert.Equal(t, "slow:x", textOf(t, results[i])) {
			failed++
		}
	}
	assert.Zero(t, failed, "%d of %d first calls failed", failed, n)
	for _, l := range listings {
		assert.Equal(t, []string{"slow__x", "slow__y", "other__z"}, toolNames(l), "a listing is never partial")
	}
	assert.Equal(t, map[string]int{"slow": 1, "other": 1}, up.listed, "one discovery per server")

	require.NoError(t, downErr, "a tool of a server that cannot start is not unknown")
	assert.True(t, down.IsError)
	assert.Equal(t, "broken: the server is unavailable: it could not be started", textOf(t, down))
	var rpcErr *jsonrpc.Error
	require.ErrorAs(t, unknownErr, &rpcErr)
	assert.Equal(t, `unknown tool "slow__nope"`, rpcErr.Message)
}

func TestCouldBelongToFollowsFlatNames(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("s", 70)
	for _, tc := range []struct {
		server, tool string
	}{
		{"fs", "read"},
		{"my server", "read file"},
		{"a__b", "c"},
		{long, "t"},
		{"srv", strings.Repeat("t", 80)},
	} {
		name := flatName(tc.server, tc.tool)
		assert.True(t, couldBelongTo(name, tc.server), "%q of %q", name, tc.server)
		assert.False(t, couldBelongTo(name, "other"), "%q is not other's", name)
	}
	assert.False(t, couldBelongTo("fsx__read", "fs"))
	assert.False(t, couldBelongTo("enkrypt_list_all_servers", "enkrypt"))
}
