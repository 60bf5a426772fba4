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
	// Env opens the servers' env values (sealed in the store) when a
	// process starts; nil takes them as they are.
	Env EnvOpener
}

// EnvOpener gives a server's env in clear from its values as the catalog
// holds them (sealed), for the start of its process only.
type EnvOpener interface {
	OpenEnv(configID, server string, env map[string]string) (map[string]string, error)
}

// Spec is the pool's definition of a server: its name, command, args and env.
func Spec(s models.Server) upstream.Spec {
	return upstream.Spec{Name: s.Name, Command: s.Command, Args: s.Args, Env: s.Env}
}

// sealedSpec is Spec for a server of configuration configID whose env opener
// opens at the process's start.
func sealedSpec(opener EnvOpener, configID string, s models.Server) upstream.Spec {
	spec := Spec(s)
	if opener != nil {
		spec.OpenEnv = func() (map[string]string, error) { return opener.OpenEnv(configID, s.Name, s.Env) }
	}
	return spec
}

// spec is the definition of a server for a scope (which names its
// configuration).
func (u PoolUpstreams) spec(scope string, s models.Server) upstream.Spec {
	configID, _, _ := parseScope(scope)
	return sealedSpec(u.Env, configID, s)
}

// Tools lists the server's tools (kept by the pool per process).
func (u PoolUpstreams) Tools(ctx context.Context, scope string, s models.Server) ([]*mcp.Tool, error) {
	return u.Pool.ListTools(ctx, scope, u.spec(scope, s))
}

// Call forwards a call; the pool relays progress under its own tokens and
// hands each notification to progress.
func (u PoolUpstreams) Call(ctx context.Context, scope string, s models.Server, params *mcp.CallToolParamsRaw, progress ProgressFunc) (*mcp.CallToolResult, error) {
	call := upstream.ToolCall{Name: params.Name, Arguments: params.Arguments, Meta: params.Meta,
		InputResponses: params.InputResponses, RequestState: params.RequestState}
	if progress != nil {
		call.Progress = upstream.ProgressFunc(progress)
	}
	return u.Pool.CallTool(ctx, scope, u.spec(scope, s), call)
}

// Refresh forgets the tool lists kept for a scope's servers.
func (u PoolUpstreams) Refresh(scope string, servers ...string) {
	u.Pool.RefreshTools(scope, servers...)
}
