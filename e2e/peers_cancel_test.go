package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCancellationThroughTheGateway: a client cancels a long call — the
// TypeScript client with its AbortController, the Go client by ending its
// context — and the cancellation reaches the upstream (the test server says
// so on stderr; the reference server's call leaves the gateway's books),
// while the client is still connected; the upstream process is kept and the
// next calls work. Stateless (the default) and stateful.
func TestCancellationThroughTheGateway(t *testing.T) {
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
			key := g.quickStart(map[string]any{"server_name": "tester", "server_command": testUpstream(t), "args": []string{"serve"}},
				p.everything("everything"))

			slow := callStep("tester__slow", map[string]any{"ms": 600000, "tag": "ts"})
			slow["abort"] = "stdin"
			long := callStep("everything__trigger-long-running-operation", map[string]any{"duration": 600, "steps": 600})
			long["abort"], long["abortAfter"] = "progress", 1
			run := p.startTS(t, gatewayPlan(g.mcpURL, key,
				slow,
				callStep("tester__add", map[string]any{"a": 1, "b": 2}),
				long,
				map[string]any{"op": "wait"},
				callStep("everything__echo", map[string]any{"message": "still here"}),
			))
			tester := g.waitProcess("tester", "the slow call arrives", func(p upstreamProcess) bool {
				return strings.Contains(p.Stderr, "sleeping: ts\n")
			})
			run.release() // abort the slow call
			run.waiting() // the long call too has been aborted, after its first progress
			g.waitProcess("tester", "the upstream hears of the cancellation", func(p upstreamProcess) bool {
				return strings.Contains(p.Stderr, "cancelled: ts\n") && p.InFlight == 0
			})
			g.waitProcess("everything", "the reference server's aborted call ends", func(p upstreamProcess) bool {
				return p.InFlight == 0
			})
			run.release() // go on
			out := run.wait()
			require.True(t, out.Connected, "%+v", out.Error)
			require.Len(t, out.Steps, 5)
			for _, i := range []int{0, 2} {
				step := out.Steps[i]
				assert.True(t, step.Aborted, step.Name)
				require.NotNil(t, step.Error, "%s: the client's aborted call rejects", step.Name)
				assert.Contains(t, step.Error.Message, "aborted by the client", step.Name)
			}
			assert.Len(t, out.Steps[2].Progress, 1, "aborted after its first progress")
			require.Nil(t, out.Steps[1].Error, "the next call works: %+v", out.Steps[1].Error)
			assert.Equal(t, "3", out.Steps[1].Result["content"].([]any)[0].(map[string]any)["text"])
			require.Nil(t, out.Steps[4].Error, "%+v", out.Steps[4].Error)
			assert.Equal(t, "Echo: still here", out.Steps[4].Result["content"].([]any)[0].(map[string]any)["text"])

			goClientCancels(t, g, key)

			kept := g.waitProcess("tester", "the process is kept", func(upstreamProcess) bool { return true })
			assert.Equal(t, tester.PID, kept.PID, "a cancelled call does not cost the process")
			assert.Equal(t, "ready", kept.State)
			res, err := http.Get(strings.TrimSuffix(g.mcpURL, "mcp/") + "health")
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, http.StatusOK, res.StatusCode)
			require.NoError(t, g.stop())
			assert.Contains(t, g.logs.String(), `"outcome":"cancelled"`, "the log names cancelled calls")
		})
	}
}

// goClientCancels: the Go SDK's client ends a call's context, once the test
// server has the call, and once the reference server has sent progress.
func goClientCancels(t *testing.T, g *gatewayServer, key string) {
	var once sync.Once
	progressed := make(chan struct{})
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "1"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(context.Context, *mcp.ProgressNotificationClientRequest) {
			once.Do(func() { close(progressed) })
		}})
	session, err := client.Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: g.mcpURL, HTTPClient: httpClientWithKey(key)}, nil)
	require.NoError(t, err)
	defer session.Close()

	cancelled := func(params *mcp.CallToolParams, started func()) {
		t.Helper()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan error, 1)
		go func() {
			_, err := session.CallTool(ctx, params)
			done <- err
		}()
		started()
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
	}

	cancelled(&mcp.CallToolParams{Name: "tester__slow", Arguments: map[string]any{"ms": 600000, "tag": "go"}}, func() {
		g.waitProcess("tester", "the Go client's slow call arrives", func(p upstreamProcess) bool {
			return strings.Contains(p.Stderr, "sleeping: go\n")
		})
	})
	g.waitProcess("tester", "the upstream hears of the Go client's cancellation", func(p upstreamProcess) bool {
		return strings.Contains(p.Stderr, "cancelled: go\n") && p.InFlight == 0
	})

	long := &mcp.CallToolParams{Name: "everything__trigger-long-running-operation", Arguments: map[string]any{"duration": 600, "steps": 600}}
	long.SetProgressToken("go-long")
	cancelled(long, func() {
		select {
		case <-progressed:
		case <-t.Context().Done():
		}
	})
	g.waitProcess("everything", "the Go client's cancelled call ends", func(p upstreamProcess) bool { return p.InFlight == 0 })

	res, err := session.CallTool(t.Context(), &mcp.CallToolParams{Name: "everything__get-sum", Arguments: map[string]any{"a": 1, "b": 2}})
	require.NoError(t, err, "the next call works")
	assert.Equal(t, "The sum of 1 and 2 is 3.", toolText(t, res))
}
