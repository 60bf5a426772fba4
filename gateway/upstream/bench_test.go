package upstream

import (
	"context"
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.uber.org/zap"
)

// BenchmarkCallTool compares a warm tools/call through the pool with the
// same call on a bare SDK session to the same upstream: the difference is
// the pool's overhead (lookup, key hash, limits, accounting, timeout).
func BenchmarkCallTool(b *testing.B) {
	ctx := context.Background()
	args := json.RawMessage(`{"a":1,"b":2}`)

	b.Run("pool", func(b *testing.B) {
		p := newPool(b, Options{Logger: zap.NewNop()})
		spec := serveSpec("bench")
		call(b, p, "iso", spec, "add", string(args)) // start it
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.CallTool(ctx, "iso", spec, ToolCall{Name: "add", Arguments: args}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("direct", func(b *testing.B) {
		session := directSession(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "add", Arguments: args}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pool-parallel", func(b *testing.B) {
		p := newPool(b, Options{Logger: zap.NewNop()})
		spec := serveSpec("bench")
		call(b, p, "iso", spec, "add", string(args))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := p.CallTool(ctx, "iso", spec, ToolCall{Name: "add", Arguments: args}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("direct-parallel", func(b *testing.B) {
		session := directSession(b)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "add", Arguments: args}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// directSession connects the SDK's own CommandTransport to the upstream.
func directSession(b *testing.B) *mcp.ClientSession {
	b.Helper()
	client := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil)
	cmd := exec.Command(upstreamBin, "serve")
	cmd.Env = []string{} // as the pool does: nothing inherited
	session, err := client.Connect(context.Background(), &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = session.Close() })
	return session
}
