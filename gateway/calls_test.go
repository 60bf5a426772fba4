package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
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

func TestListToolsByMode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode ToolMode
		want []string
	}{
		{ToolsFlat, []string{"a__x", "b__y"}},
		{ToolsOriginal, []string{toolListServers, toolServerInfo, toolDiscover, toolSecureCall, toolCacheStatus, toolClearCache}},
		{ToolsBoth, []string{toolListServers, toolServerInfo, toolDiscover, toolSecureCall, toolCacheStatus, toolClearCache, "a__x", "b__y"}},
	} {
		g := newTestGateway(t, tc.mode, nil, server("a"), server("b"))
		g.up.tools["a"], g.up.tools["b"] = tools("x"), tools("y")
		got, err := g.ListTools(context.Background(), principal("u1"))
		require.NoError(t, err)
		assert.Equal(t, tc.want, toolNames(got), tc.mode)
	}
}

func TestAServerThatFailsIsLeftOutWithoutFailingTheOthers(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t, ToolsFlat, nil, server("a"), server("broken"), server("c"))
	g.up.tools["a"], g.up.tools["c"] = tools("x"), tools("z")
	g.up.fail["broken"] = upstream.ErrStartFailed
	got, err := g.ListTools(context.Background(), principal("u1"))
	require.NoError(t, err)
	assert.Equal(t, []string{"a__x", "c__z"}, toolNames(got))
}

func TestCallsAreRoutedByTableWithArgumentsUnchanged(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t, ToolsFlat, nil, server("a__b"), server("a"))
	g.up.tools["a__b"], g.up.tools["a"] = tools("c"), tools("b__c")
	ctx, p := context.Background(), principal("u1")
	listed, err := g.ListTools(ctx, p)
	require.NoError(t, err)
	args := json.RawMessage(`{"n": 12345678901234567890, "s": "x\u00e9", "nested": {"a": [1, 2.50]}}`)
	res, err := g.CallTool(ctx, p, &mcp.CallToolParamsRaw{Name: listed[1].Name, Arguments: args}, nil)
	require.NoError(t, err)
	assert.Equal(t, "a:b__c:"+string(args), textOf(t, res), "forwarded byte for byte to the right server and tool")
	calls := g.up.callLog()
	require.Len(t, calls, 1)
	assert.Equal(t, fakeCall{Scope: "config:c1/user:u1/project:p1", Server: "a", Tool: "b__c", Arguments: string(args)}, calls[0])
}

func TestResultsPassThroughUnchanged(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t, ToolsFlat, nil, server("s"))
	g.up.tools["s"] = tools("t")
	want := &mcp.CallToolResult{
		Content: []mcp.Content{&mcp.TextContent{Text: "a"}, &mcp.ImageContent{Data: []byte{1, 2}, MIMEType: "image/png"},
			&mcp.AudioContent{Data: []byte{3}, MIMEType: "audio/wav"},
			&mcp.EmbeddedResource{Resource: &mcp.ResourceContents{URI: "file:///x", Text: "body"}}},
		StructuredContent: map[string]any{"k": "v"}, IsError: true,
	}
	g.up.result = func(string, *mcp.CallToolParamsRaw) (*mcp.CallToolResult, error) { return want, nil }
	res, err := g.CallTool(context.Background(), principal("u1"), &mcp.CallToolParamsRaw{Name: "s__t"}, nil)
	require.NoError(t, err)
	assert.Same(t, want, res)
}

func TestAllowListHidesAndRefuses(t *testing.T) {
	t.Parallel()
	s := server("s")
	s.Tools = models.JSONObject{"read": "Reads", "delete": map[string]any{"enabled": false}}
	g := newTestGateway(t, ToolsBoth, nil, s)
	g.up.tools["s"] = tools("read", "write", "delete")
	ctx, p := context.Background(), principal("u1")
	listed, err := g.ListTools(ctx, p)
	require.NoError(t, err)
	assert.Contains(t, toolNames(listed), "s__read")
	assert.NotContains(t, toolNames(listed), "s__write")
	assert.NotContains(t, toolNames(listed), "s__delete")
	for _, name := range []string{"s__write", "s__delete"} {
		_, err := g.CallTool(ctx, p, &mcp.CallToolParamsRaw{Name: name}, nil)
		var rpcErr *jsonrpc.Error
		require.ErrorAs(t, err, &rpcErr, name)
		assert.EqualValues(t, jsonrpc.CodeInvalidParams, rpcErr.Code)
	}
	res, err := g.CallTool(ctx, p, &mcp.CallToolParamsRaw{Name: toolSecureCall,
		Arguments: json.RawMessage(`{"server_name":"s","tool_calls":[{"name":"delete","args":{}}]}`)}, nil)
	require.NoError(t, err)
	doc := decodeText(t, res)
	assert.Equal(t, "error", doc["results"].([]any)[0].(map[string]any)["status"], "the meta-tool refuses it too")
	assert.Empty(t, g.up.callLog(), "no upstream call was made")
}

// blockAll refuses every call before the upstream and counts After calls.
type blockAll struct {
	PassThrough
	withhold bool
}

func (b blockAll) Before(context.Context, *Call) (*mcp.CallToolResult, any) {
	if b.withhold {
		return nil, nil
	}
	return errorResult("blocked by policy"), nil
}

func (b blockAll) After(_ context.Context, _ *Call, _ any, res *mcp.CallToolResult) (*mcp.CallToolResult, bool) {
	if b.withhold {
		return errorResult("withheld by policy"), true
	}
	return res, false
}

func TestEnforcementPointsHoldForFlatAndMetaCalls(t *testing.T) {
	t.Parallel()
	ctx, p := context.Background(), principal("u1")
	g := newTestGateway(t, ToolsBoth, blockAll{}, server("s"))
	g.up.tools["s"] = tools("t")
	res, err := g.CallTool(ctx, p, &mcp.CallToolParamsRaw{Name: "s__t"}, nil)
	require.NoError(t, err)
	assert.True(t, res.IsError)
	assert.Equal(t, "blocked by policy", textOf(t, res))
	res, err = g.CallTool(ctx, p, &mcp.CallToolParamsRaw{Name: toolSecureCall,
		Arguments: json.RawMessage(`{"server_name":"s","tool_calls":[{"tool_name":"t","arguments":{"q":1}}, {"name":"t"}]}`)}, nil)
	require.NoError(t, err)
	doc := decodeText(t, res)
	results := doc["results"].([]any)
	require.Len(t, results, 1, "the batch stops at the first blocked call, as in the original")
	assert.Equal(t, "blocked_input", results[0].(map[string]any)["status"])
	assert.Empty(t, g.up.callLog(), "a blocked call never reaches the upstream")

	w := newTestGateway(t, ToolsBoth, blockAll{withhold: true}, server("s"))
	w.up.tools["s"] = tools("t")
	res, err = w.CallTool(ctx, p, &mcp.CallToolParamsRaw{Name: "s__t"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "withheld by policy", textOf(t, res))
	assert.Len(t, w.up.callLog(), 1, "the upstream ran; its result was withheld")
}

func TestScopesIsolateUsersUnlessShared(t *testing.T) {
	t.Parallel()
	shared := server("shared")
	shared.SharedProcess = true
	g := newTestGateway(t, ToolsFlat, nil, server("own"), shared)
	g.up.tools["own"], g.up.tools["shared"] = tools("t"), tools("t")
	ctx := context.Background()
	for _, user := range []string{"u1", "u2"} {
		_, err := g.ListTools(ctx, principal(user))
		require.NoError(t, err)
	}
	assert.Equal(t, map[string]bool{"config:c1/user:u1/project:p1": true, "config:c1/user:u2/project:p1": true, "config:c1": true}, g.up.scopes)
}

func TestANewConfigurationVersionIsReadAtTheNextRequest(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t, ToolsFlat, nil, server("a"))
	g.up.tools["a"], g.up.tools["b"] = tools("x"), tools("y")
	ctx, p := context.Background(), principal("u1")
	for range 3 {
		_, err := g.ListTools(ctx, p)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, g.catalog.reads, "one version is read once")
	g.catalog.set("c1", server("b"))
	g.catalog.version = epoch.Add(time.Second)
	p.ConfigVersion = epoch.Add(time.Second)
	got, err := g.ListTools(ctx, p)
	require.NoError(t, err)
	assert.Equal(t, []string{"b__y"}, toolNames(got))
	res, err := g.CallTool(ctx, p, &mcp.CallToolParamsRaw{Name: "b__y"}, nil)
	require.NoError(t, err)
	assert.False(t, res.IsError)
	_, err = g.CallTool(ctx, p, &mcp.CallToolParamsRaw{Name: "a__x"}, nil)
	assert.Error(t, err, "the removed server's tool is gone")
}

// A catalog that answers with an older state than the version asked for (a
// read cache of another instance) is not kept under the newer version.
func TestAStaleReadIsNotKeptForTheNewerVersion(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t, ToolsFlat, nil, server("a"))
	g.up.tools["a"], g.up.tools["b"] = tools("x"), tools("y")
	ctx, p := context.Background(), principal("u1")
	p.ConfigVersion = epoch.Add(time.Second) // the store already moved on; the catalog still says epoch
	got, err := g.ListTools(ctx, p)
	require.NoError(t, err)
	assert.Equal(t, []string{"a__x"}, toolNames(got))
	g.catalog.set("c1", server("b"))
	g.catalog.version = epoch.Add(time.Second)
	got, err = g.ListTools(ctx, p)
	require.NoError(t, err)
	assert.Equal(t, []string{"b__y"}, toolNames(got), "the next request reads again and sees the newer state")
}

func TestUpstreamFailuresAreToolErrors(t *testing.T) {
	t.Parallel()
	ctx, p := context.Background(), principal("u1")
	for err, want := range map[error]string{
		upstream.ErrAtCapacity:      "at capacity",
		upstream.ErrCircuitOpen:     "paused",
		upstream.ErrUpstreamCrashed: "stopped while handling",
		upstream.ErrStartFailed:     "could not be started",
		errors.New("secret detail"): "the call failed",
	} {
		g := newTestGateway(t, ToolsFlat, nil, server("s"))
		g.up.tools["s"] = tools("t")
		g.up.result = func(string, *mcp.CallToolParamsRaw) (*mcp.CallToolResult, error) { return nil, err }
		res, callErr := g.CallTool(ctx, p, &mcp.CallToolParamsRaw{Name: "s__t"}, nil)
		require.NoError(t, callErr)
		assert.True(t, res.IsError)
		assert.Contains(t, textOf(t, res), want)
		assert.NotContains(t, textOf(t, res), "secret detail", "no internals reach the client")
	}
}

func TestSecureCallToolsAliasesAndShapes(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t, ToolsOriginal, nil, server("s"))
	g.up.tools["s"] = tools("echo")
	ctx, p := context.Background(), principal("u1")
	for _, call := range []string{
		`{"name":"echo","args":{"v":1}}`, `{"tool_name":"echo","arguments":{"v":1}}`,
		`{"name":"echo","tool_arguments":{"v":1}}`, `{"name":"echo","tool_input_arguments":{"v":1}}`,
	} {
		res, err := g.CallTool(ctx, p, &mcp.CallToolParamsRaw{Name: toolSecureCall,
			Arguments: json.RawMessage(`{"server_name":"s","tool_calls":[` + call + `]}`)}, nil)
		require.NoError(t, err)
		doc := decodeText(t, res)
		assert.Equal(t, "success", doc["status"], call)
		assert.Equal(t, map[string]any{"total_calls": 1.0, "successful_calls": 1.0, "blocked_calls": 0.0, "failed_calls": 0.0}, doc["summary"])
		r := doc["results"].([]any)[0].(map[string]any)
		assert.Equal(t, `s:echo:{"v":1}`, r["response"], call)
		assert.Equal(t, "echo", r["enkrypt_mcp_data"].(map[string]any)["tool_name"])
	}
	res, err := g.CallTool(ctx, p, &mcp.CallToolParamsRaw{Name: toolSecureCall, Arguments: json.RawMessage(`{"server_name":"s","tool_calls":[]}`)}, nil)
	require.NoError(t, err)
	assert.Equal(t, "Successfully discovered tools for s", decodeText(t, res)["message"], "an empty list discovers")
	res, err = g.CallTool(ctx, p, &mcp.CallToolParamsRaw{Name: toolSecureCall, Arguments: json.RawMessage(`{"server_name":"nope"}`)}, nil)
	require.NoError(t, err)
	assert.True(t, res.IsError)
	assert.Contains(t, decodeText(t, res)["error"], "not available")
	_, err = g.CallTool(ctx, p, &mcp.CallToolParamsRaw{Name: "s__echo"}, nil)
	assert.Error(t, err, "flat tools are not offered in original mode")
}

func TestServerInfoNeverShowsEnvValues(t *testing.T) {
	t.Parallel()
	s := server("s")
	s.Env = map[string]string{"GITHUB_TOKEN": "ghp_supersecretvalue"}
	g := newTestGateway(t, ToolsBoth, nil, s)
	for _, name := range []string{toolServerInfo, toolListServers} {
		res, err := g.CallTool(context.Background(), principal("u1"), &mcp.CallToolParamsRaw{Name: name,
			Arguments: json.RawMessage(`{"server_name":"s","discover_tools":false}`)}, nil)
		require.NoError(t, err)
		assert.NotContains(t, textOf(t, res), "supersecret")
		assert.Contains(t, textOf(t, res), "GITHUB_TOKEN")
	}
}

type refreshingUpstreams struct {
	*fakeUpstreams
	refreshed []string
}

func (r *refreshingUpstreams) Refresh(scope string, servers ...string) {
	r.refreshed = append(r.refreshed, scope+" "+strings.Join(servers, ","))
}

func TestClearCacheRereadsTheCallersToolLists(t *testing.T) {
	t.Parallel()
	up := &refreshingUpstreams{fakeUpstreams: newFakeUpstreams()}
	catalog := &fakeCatalog{}
	catalog.set("c1", server("a"), server("b"))
	g, err := New(Options{Catalog: catalog, Upstreams: up, Logger: zap.NewNop(), Mode: ToolsOriginal})
	require.NoError(t, err)
	res, err := g.CallTool(context.Background(), principal("u1"), &mcp.CallToolParamsRaw{Name: toolClearCache,
		Arguments: json.RawMessage(`{"server_name": "b"}`)}, nil)
	require.NoError(t, err)
	assert.Equal(t, "success", decodeText(t, res)["status"])
	assert.Equal(t, []string{"config:c1/user:u1/project:p1 b"}, up.refreshed, "only the caller's process of the named server")
}

// A store failure reaches the client as a fixed message; the cause (driver
// text, hosts, paths) goes to the log only.
func TestAStoreFailureIsAnInternalErrorWithoutItsCause(t *testing.T) {
	t.Parallel()
	g := newTestGateway(t, ToolsFlat, nil, server("a"))
	p := principal("u1")
	p.ConfigID = "missing"
	_, err := g.ListTools(context.Background(), p)
	var rpcErr *jsonrpc.Error
	require.ErrorAs(t, err, &rpcErr)
	assert.EqualValues(t, jsonrpc.CodeInternalError, rpcErr.Code)
	assert.NotContains(t, rpcErr.Message, "no such configuration")
}

func TestServerInfoMasksCredentialsInArgs(t *testing.T) {
	t.Parallel()
	s := server("db")
	s.Args = []string{"-y", "@modelcontextprotocol/server-postgres", "postgresql://admin:s3cr3t-pw@db.internal/app",
		"--api-key", "ak-live-123456", "--token=tk-987654", "DB_PASSWORD=hunter22", "--verbose"}
	g := newTestGateway(t, ToolsOriginal, nil, s)
	res, err := g.CallTool(context.Background(), principal("u1"), &mcp.CallToolParamsRaw{Name: toolServerInfo,
		Arguments: json.RawMessage(`{"server_name": "db"}`)}, nil)
	require.NoError(t, err)
	text := textOf(t, res)
	for _, secret := range []string{"s3cr3t-pw", "ak-live-123456", "tk-987654", "hunter22"} {
		assert.NotContains(t, text, secret)
	}
	for _, kept := range []string{"@modelcontextprotocol/server-postgres", "db.internal", "--verbose", "--api-key"} {
		assert.Contains(t, text, kept)
	}
}
