package mcphttp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/securemcp/gateway/controllers/mcphttp"
	"github.com/securemcp/gateway/gateway"
	"github.com/securemcp/gateway/gateway/upstream"
	"github.com/securemcp/gateway/middleware"
	"github.com/securemcp/gateway/models"
)

// firstCalls is a gateway whose upstream servers have not started yet, behind the direct path (direct) and the SDK
// alone (sdk).
func firstCalls(t *testing.T, servers ...models.Server) (direct, sdk string) {
	t.Helper()
	log := zaptest.NewLogger(t)
	pool, err := upstream.New(upstream.Options{Logger: log})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, pool.Close(context.Background())) })
	g, err := gateway.New(gateway.Options{Catalog: catalog(servers), Upstreams: gateway.PoolUpstreams{Pool: pool}, Logger: log})
	require.NoError(t, err)
	version := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	opts := mcphttp.Options{
		Auth:     keys{aliceKey: {KeyID: "k-alice", UserID: "alice", ProjectID: "p", ConfigID: "c", ConfigVersion: version}},
		Failures: middleware.NewAuthLimiter(5, time.Minute, 100, time.Now),
		Logger:   zap.NewNop(),
	}
	plain := opts
	plain.Server = g.MCPServer()
	s := httptest.NewServer(mcphttp.New(plain))
	t.Cleanup(s.Close)
	fast := opts
	fast.Server, fast.Tools = g.MCPServer(), g
	d := httptest.NewServer(mcphttp.New(fast))
	t.Cleanup(d.Close)
	return d.URL + "/mcp", s.URL + "/mcp"
}

func slowServer(name string, delay time.Duration) models.Server {
	return models.Server{Name: name, Command: upstreamBin, Args: []string{"serve", "-start-delay", delay.String()}}.Normalize()
}

// message is the JSON-RPC answer in an SSE or JSON body.
func message(t *testing.T, body string) map[string]any {
	t.Helper()
	if i := strings.Index(body, "data: "); i >= 0 {
		body = body[i+len("data: "):]
	}
	var msg map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(body)), &msg), body)
	return msg
}

// TestConcurrentFirstRequestsWaitForDiscovery: many clients calling a tool
// of servers that have not started yet, and listing the tools meanwhile, all
// wait for the servers' start and discovery: every call reaches its tool,
// every listing is complete, a tool of a server that cannot start is
// answered with that server's unavailability, and only a name no server
// offers is unknown. On the direct path and through the SDK alike.
func TestConcurrentFirstRequestsWaitForDiscovery(t *testing.T) {
	t.Parallel()
	const calls, lists, others = 40, 5, 5
	for _, path := range []string{"direct", "sdk"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			delay := 700 * time.Millisecond
			broken := models.Server{Name: "broken", Command: upstreamBin, Args: []string{"exit"}}.Normalize()
			direct, sdk := firstCalls(t, slowServer("slow", delay), slowServer("other", delay), broken)
			url := map[string]string{"direct": direct, "sdk": sdk}[path]
			version := map[string]string{"Mcp-Protocol-Version": v0618}
			call := func(id int, name, args string) string {
				return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":%q,"arguments":%s}}`, id, name, args)
			}
			var wg sync.WaitGroup
			added := make([]map[string]any, calls)
			listed := make([]map[string]any, lists)
			down := make([]map[string]any, others)
			unknown := make([]map[string]any, others)
			for i := range calls {
				wg.Go(func() {
					added[i] = message(t, post(t, url, call(i, "slow__add", fmt.Sprintf(`{"a":%d,"b":1}`, i)), version).body)
				})
			}
			for i := range lists {
				wg.Go(func() {
					listed[i] = message(t, post(t, url, `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, version).body)
				})
			}
			for i := range others {
				wg.Go(func() { down[i] = message(t, post(t, url, call(i, "broken__add", `{}`), version).body) })
				wg.Go(func() { unknown[i] = message(t, post(t, url, call(i, "slow__nope", `{}`), version).body) })
			}
			wg.Wait()

			failed := 0
			for i, msg := range added {
				if _, ok := msg["result"]; !assert.True(t, ok, "call %d: %v", i, msg) {
					failed++
					continue
				}
				text, isError := resultText(t, msg)
				if !assert.False(t, isError, "call %d: %v", i, msg) || !assert.Equal(t, fmt.Sprint(i+1), text, "call %d: %v", i, msg) {
					failed++
				}
			}
			assert.Zero(t, failed, "%d of %d first calls failed", failed, calls)
			for _, msg := range listed {
				res, _ := msg["result"].(map[string]any)
				tools, _ := res["tools"].([]any)
				var names []string
				for _, tool := range tools {
					names = append(names, tool.(map[string]any)["name"].(string))
				}
				assert.Subset(t, names, []string{"slow__add", "slow__echo", "other__add", "other__echo"}, "a listing is complete: %v", msg)
			}
			for _, msg := range down {
				require.Contains(t, msg, "result", "the tool of a server that cannot start is not unknown")
				text, isError := resultText(t, msg)
				assert.True(t, isError, "%v", msg)
				assert.Equal(t, "broken: the server is unavailable: it could not be started", text)
			}
			for _, msg := range unknown {
				errObj, _ := msg["error"].(map[string]any)
				assert.Equal(t, `unknown tool "slow__nope"`, errObj["message"], "%v", msg)
			}
		})
	}
}
