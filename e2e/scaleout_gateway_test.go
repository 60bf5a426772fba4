package e2e

import (
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
)

// startGatewayPair starts two `system start` processes, each with its own
// HOME, on one fresh PostgreSQL schema and with the same admin key.
func startGatewayPair(t *testing.T) (a, b *gatewayServer) {
	t.Helper()
	env := []string{"SMG_DATABASE_URL=" + sqltest.NewPostgresURL(t), "SMG_ADMIN_API_KEY=" + scaleAdminKey}
	// Started together: their migrations race for the same empty schema.
	a = launchGateway(t, t.TempDir(), nil, env...)
	b = launchGateway(t, t.TempDir(), nil, env...)
	for _, g := range []*gatewayServer{a, b} {
		g.waitServing()
		g.key = scaleAdminKey
	}
	return a, b
}

// roundRobin sends each request of an MCP client to the next instance, as a
// plain load balancer would, with the gateway key; it counts what each got.
type roundRobin struct {
	key     string
	targets []*url.URL
	mu      sync.Mutex
	next    int
	hits    map[string]int
}

func newRoundRobin(t *testing.T, key string, gateways ...*gatewayServer) *roundRobin {
	rr := &roundRobin{key: key, hits: map[string]int{}}
	for _, g := range gateways {
		u, err := url.Parse(g.mcpURL)
		require.NoError(t, err)
		rr.targets = append(rr.targets, u)
	}
	return rr
}

func (rr *roundRobin) RoundTrip(r *http.Request) (*http.Response, error) {
	rr.mu.Lock()
	target := rr.targets[rr.next%len(rr.targets)]
	rr.next++
	rr.hits[target.Host]++
	rr.mu.Unlock()
	r = r.Clone(r.Context())
	r.URL.Host, r.Host = target.Host, target.Host
	r.Header.Set("Authorization", "Bearer "+rr.key)
	return http.DefaultTransport.RoundTrip(r)
}

func (rr *roundRobin) counts() map[string]int {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	out := map[string]int{}
	for k, v := range rr.hits {
		out[k] = v
	}
	return out
}

// TestScaleOutGatewayAlternatingInstances: two instances of `system start` on
// one PostgreSQL database serve one stateless MCP client whose requests
// alternate between them; a server added to the configuration through A's
// API is offered by B at the client's next request, and B refuses a key
// disabled through A at its next request.
func TestScaleOutGatewayAlternatingInstances(t *testing.T) {
	t.Parallel()
	a, b := startGatewayPair(t)
	tester := func(name string) map[string]any {
		return map[string]any{"server_name": name, "server_command": testUpstream(t), "args": []string{"serve"}}
	}
	key := a.quickStart(tester("tester"))

	rr := newRoundRobin(t, key, a, b)
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "1"}, nil)
	session, err := client.Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: a.mcpURL, HTTPClient: &http.Client{Transport: rr}}, nil)
	require.NoError(t, err)
	defer session.Close()
	ctx := t.Context()
	for i := range 4 {
		assert.True(t, toolNames(t, session)["tester__add"] != nil, "request %d", i)
		res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "tester__add", Arguments: map[string]any{"a": i, "b": 40}})
		require.NoError(t, err)
		assert.Equal(t, strconv.Itoa(i+40), toolText(t, res))
	}
	hits := rr.counts()
	for _, g := range []*gatewayServer{a, b} {
		u, _ := url.Parse(g.mcpURL)
		assert.GreaterOrEqual(t, hits[u.Host], 4, "%s served its share: %v", u.Host, hits)
	}
	// Each instance runs the user's process of its own.
	for _, g := range []*gatewayServer{a, b} {
		g.waitProcess("tester", "a process on "+g.base, func(p upstreamProcess) bool { return p.State == "ready" })
	}

	// A client that reaches only B.
	onB, err := mcpSession(t, b.mcpURL, key)
	require.NoError(t, err)
	require.False(t, toolNames(t, onB)["second__add"] != nil)
	a.admin(http.StatusCreated, "POST", "/api/v1/configs/my-config/servers", tester("second"))
	require.True(t, toolNames(t, onB)["second__add"] != nil, "B offers the server added through A at the client's next request")
	res, err := onB.CallTool(ctx, &mcp.CallToolParams{Name: "second__add", Arguments: map[string]any{"a": 1, "b": 1}})
	require.NoError(t, err)
	assert.Equal(t, "2", toolText(t, res))
	assert.True(t, toolNames(t, session)["second__add"] != nil, "and so does the alternating client")

	t.Run("typescript client", func(t *testing.T) {
		p := requirePeers(t)
		out := p.ts(t, map[string]any{"urls": []string{a.mcpURL, b.mcpURL}, "key": key,
			"steps": []map[string]any{listStep(), callStep("tester__add", map[string]any{"a": 20, "b": 22}), listStep(),
				callStep("second__add", map[string]any{"a": 1, "b": 2})}})
		require.True(t, out.Connected, "%+v", out.Error)
		for _, step := range out.Steps {
			require.Nil(t, step.Error, "%s %s: %+v", step.Op, step.Name, step.Error)
		}
		assert.Contains(t, out.Steps[0].toolNames(), "tester__add")
		assert.Contains(t, out.Steps[2].toolNames(), "second__add")
		assert.Equal(t, "42", out.Steps[1].Result["content"].([]any)[0].(map[string]any)["text"])
		assert.Equal(t, "3", out.Steps[3].Result["content"].([]any)[0].(map[string]any)["text"])
		assert.Positive(t, out.Hits[a.mcpURL], "%v", out.Hits)
		assert.Positive(t, out.Hits[b.mcpURL], "%v", out.Hits)
	})

	status, keys := a.call("GET", "/api/v1/api-keys", scaleAdminKey, nil)
	require.Equal(t, http.StatusOK, status)
	id := keys["data"].([]any)[0].(map[string]any)["key_id"].(string)
	a.admin(http.StatusOK, "POST", "/api/v1/api-keys/"+id+"/disable", nil)
	_, err = onB.CallTool(ctx, &mcp.CallToolParams{Name: "tester__add", Arguments: map[string]any{"a": 1, "b": 1}})
	require.Error(t, err, "B refuses the key disabled through A at its next request")
	assert.Contains(t, err.Error(), "Unauthorized", "a 401")
	for i := range 2 {
		_, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "tester__add", Arguments: map[string]any{"a": 1, "b": 1}})
		require.Error(t, err, "neither instance serves a disabled key (request %d)", i)
	}
	for _, g := range []*gatewayServer{a, b} {
		require.NoError(t, g.stop())
		assert.NotContains(t, g.logs.String(), key, "the key never appears in the log")
	}
}
