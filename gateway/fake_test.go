package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/models"
)

// fakeUpstreams serves canned tools per server and records every call.
type fakeUpstreams struct {
	mu     sync.Mutex
	tools  map[string][]*mcp.Tool // by server name
	fail   map[string]error       // servers that cannot be reached
	calls  []fakeCall
	result func(server string, params *mcp.CallToolParamsRaw) (*mcp.CallToolResult, error)
	scopes map[string]bool
}

type fakeCall struct {
	Scope, Server, Tool string
	Arguments           string
	RequestState        string
}

func newFakeUpstreams() *fakeUpstreams {
	return &fakeUpstreams{tools: map[string][]*mcp.Tool{}, fail: map[string]error{}, scopes: map[string]bool{}}
}

func (f *fakeUpstreams) Tools(_ context.Context, scope string, s models.Server) ([]*mcp.Tool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scopes[scope] = true
	if err := f.fail[s.Name]; err != nil {
		return nil, err
	}
	return f.tools[s.Name], nil
}

func (f *fakeUpstreams) Call(_ context.Context, scope string, s models.Server, params *mcp.CallToolParamsRaw, progress ProgressFunc) (*mcp.CallToolResult, error) {
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{Scope: scope, Server: s.Name, Tool: params.Name, Arguments: string(params.Arguments), RequestState: params.RequestState})
	result := f.result
	f.mu.Unlock()
	if progress != nil {
		progress(&mcp.ProgressNotificationParams{Progress: 1, Total: 2, Message: "half: " + params.Name})
	}
	if result != nil {
		return result(s.Name, params)
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s.Name + ":" + params.Name + ":" + string(params.Arguments)}}}, nil
}

func (f *fakeUpstreams) callLog() []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeCall(nil), f.calls...)
}

// fakeCatalog holds configurations and counts reads.
type fakeCatalog struct {
	mu      sync.Mutex
	servers map[string][]models.Server
	version time.Time
	reads   int
}

func (c *fakeCatalog) ConfigServers(_ context.Context, id string) ([]models.Server, time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads++
	s, ok := c.servers[id]
	if !ok {
		return nil, time.Time{}, errors.New("no such configuration")
	}
	return s, c.version, nil
}

// set replaces a configuration's servers; version is the version they are
// read at (epoch unless the test moves it).
func (c *fakeCatalog) set(id string, servers ...models.Server) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version.IsZero() {
		c.version = epoch
	}
	if c.servers == nil {
		c.servers = map[string][]models.Server{}
	}
	c.servers[id] = servers
}

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func principal(user string) Principal {
	return Principal{KeyID: "key-" + user, UserID: user, ProjectID: "p1", ConfigID: "c1", ConfigVersion: epoch}
}

type testGateway struct {
	*Gateway
	up      *fakeUpstreams
	catalog *fakeCatalog
}

func newTestGateway(t *testing.T, mode ToolMode, enforcer Enforcer, servers ...models.Server) testGateway {
	t.Helper()
	up, catalog := newFakeUpstreams(), &fakeCatalog{}
	catalog.set("c1", servers...)
	g, err := New(Options{Catalog: catalog, Upstreams: up, Enforcer: enforcer, Logger: zap.NewNop(), Mode: mode})
	require.NoError(t, err)
	return testGateway{Gateway: g, up: up, catalog: catalog}
}

func server(name string) models.Server {
	return models.Server{Name: name, Command: "/bin/" + name}.Normalize()
}

func toolNames(ts []*mcp.Tool) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

func textOf(t *testing.T, res *mcp.CallToolResult) string {
	t.Helper()
	require.NotNil(t, res)
	require.NotEmpty(t, res.Content)
	text, ok := res.Content[0].(*mcp.TextContent)
	require.True(t, ok, "%T", res.Content[0])
	return text.Text
}

func decodeText(t *testing.T, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(textOf(t, res)), &doc))
	return doc
}
