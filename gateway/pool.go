package gateway

import (
	"context"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/securemcp/gateway/gateway/upstream"
	"github.com/securemcp/gateway/models"
)

// PoolUpstreams runs a configuration's servers in an upstream pool.
type PoolUpstreams struct {
	Pool *upstream.Pool
}

// Spec is the pool's definition of a server: its name, command, args and env.
func Spec(s models.Server) upstream.Spec {
	return upstream.Spec{Name: s.Name, Command: s.Command, Args: s.Args, Env: s.Env}
}

// Tools lists the server's tools (kept by the pool per process).
func (u PoolUpstreams) Tools(ctx context.Context, scope string, s models.Server) ([]*mcp.Tool, error) {
	return u.Pool.ListTools(ctx, scope, Spec(s))
}

// Call forwards a call; the pool relays progress under its own tokens and
// hands each notification to progress.
func (u PoolUpstreams) Call(ctx context.Context, scope string, s models.Server, params *mcp.CallToolParamsRaw, progress ProgressFunc) (*mcp.CallToolResult, error) {
	call := upstream.ToolCall{Name: params.Name, Arguments: params.Arguments, Meta: params.Meta,
		InputResponses: params.InputResponses, RequestState: params.RequestState}
	if progress != nil {
		call.Progress = upstream.ProgressFunc(progress)
	}
	return u.Pool.CallTool(ctx, scope, Spec(s), call)
}

// Refresh forgets the tool lists kept for a scope's servers.
func (u PoolUpstreams) Refresh(scope string, servers ...string) {
	u.Pool.RefreshTools(scope, servers...)
}
