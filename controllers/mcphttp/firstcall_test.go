package mcphttp_test

import (
	"context"
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

// firstCalls is a gateway whose upstream servers have not started yet, each
// taking startDelay to answer, behind the direct path (direct) and the SDK
// alone (sdk).
func firstCalls(t *testing.T, startDelay time.Duration, servers ...models.Server) (direct, sdk string) {
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

func TestConcurrentFirstCallsWaitForDiscovery(t *testing.T) {
	t.Parallel()
	const n = 40
	for _, path := range []string{"direct", "sdk"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			delay := 500 * time.Millisecond
			direct, sdk := firstCalls(t, delay, slowServer("slow", delay), slowServer("other", delay))
			url := map[string]string{"direct": direct, "sdk": sdk}[path]
			var wg sync.WaitGroup
			answers := make([]exchange, n)
			for i := range n {
				wg.Go(func() {
					answers[i] = post(t, url, fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"slow__add","arguments":{"a":%d,"b":1}}}`, i, i),
						map[string]string{"Mcp-Protocol-Version": v0618})
				})
			}
			wg.Wait()
			failed := 0
			for i, a := range answers {
				if !assert.Contains(t, a.body, fmt.Sprintf(`"text":"%d"`, i+1), "call %d", i) {
					failed++
				}
			}
			t.Logf("%d of %d first calls failed", failed, n)
			_ = strings.Contains
		})
	}
}
