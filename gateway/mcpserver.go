package gateway

import (
	"context"
	"errors"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ServerInfo is the gateway as its MCP server introduces itself.
func (g *Gateway) ServerInfo() *mcp.Implementation { return g.impl }

// principalExtra is the TokenInfo member that carries the principal. The SDK
// hands the HTTP request's auth.TokenInfo to every MCP request it serves, and
// binds a stateful session to the TokenInfo's UserID, so that no other key
// can use a session another key opened.
const principalExtra = "principal"

// clientExtra is the TokenInfo member that carries a tool call's client
// context (see CallTokenInfo).
const clientExtra = "client"

// TokenInfo is what the HTTP shell attaches to an authenticated request.
func TokenInfo(p Principal) *auth.TokenInfo {
	return &auth.TokenInfo{UserID: p.KeyID, Extra: map[string]any{principalExtra: p}}
}

// CallTokenInfo is TokenInfo for a tool call that must end when client does.
// Without sessions the SDK neither cancels a call on its client's
// notifications/cancelled nor when its client goes away; the HTTP shell does,
// through client.
func CallTokenInfo(p Principal, client context.Context) *auth.TokenInfo {
	info := TokenInfo(p)
	info.Extra[clientExtra] = client
	return info
}

// clientOf is the client context of a request, nil without one.
func clientOf(req mcp.Request) context.Context {
	if extra := req.GetExtra(); extra != nil && extra.TokenInfo != nil {
		if c, ok := extra.TokenInfo.Extra[clientExtra].(context.Context); ok {
			return c
		}
	}
	return nil
}

// errNoPrincipal reaches a client only if the HTTP shell let a request through
// without authenticating it: a programming error, refused rather than served.
var errNoPrincipal = errors.New("request is not authenticated")

func principalOf(req mcp.Request) (Principal, error) {
	extra := req.GetExtra()
	if extra == nil || extra.TokenInfo == nil {
		return Principal{}, errNoPrincipal
	}
	p, ok := extra.TokenInfo.Extra[principalExtra].(Principal)
	if !ok {
		return Principal{}, errNoPrincipal
	}
	return p, nil
}

// MCPServer is the MCP server clients talk to. It registers no tools of its
// own: tools/list and tools/call are answered for each request's principal,
// from that principal's configuration at its current version, so that one
// server serves every key and an edit applies at the next request.
func (g *Gateway) MCPServer() *mcp.Server {
	s := mcp.NewServer(g.impl,
		&mcp.ServerOptions{
			Capabilities: &mcp.ServerCapabilities{Tools: &mcp.ToolCapabilities{}},
			Instructions: "Tools of your project's MCP servers, named <server>__<tool>, governed by the gateway's policies.",
		})
	s.AddReceivingMiddleware(g.dispatch)
	return s
}

// dispatch answers tools/list and tools/call; every other method (initialize,
// ping, …) is the SDK's.
func (g *Gateway) dispatch(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		switch method {
		case "tools/list":
			p, err := principalOf(req)
			if err != nil {
				return nil, err
			}
			tools, err := g.ListTools(ctx, p)
			if err != nil {
				return nil, err
			}
			return &mcp.ListToolsResult{Tools: tools}, nil
		case "tools/call":
			p, err := principalOf(req)
			if err != nil {
				return nil, err
			}
			if client := clientOf(req); client != nil {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				defer cancel()
				defer context.AfterFunc(client, cancel)()
			}
			call := req.(*mcp.CallToolRequest)
			res, err := g.CallTool(ctx, p, call.Params, progressForwarder(ctx, call))
			if err != nil {
				return nil, err
			}
			return res, nil
		}
		return next(ctx, method, req)
	}
}

// progressForwarder relays an upstream's progress to the client under the
// client's own progress token; nil when the client asked for none.
func progressForwarder(ctx context.Context, call *mcp.CallToolRequest) ProgressFunc {
	token := call.Params.GetProgressToken()
	if token == nil || call.Session == nil {
		return nil
	}
	return func(p *mcp.ProgressNotificationParams) {
		relayed := *p
		relayed.ProgressToken = token
		_ = call.Session.NotifyProgress(ctx, &relayed) // a client gone away only misses progress
	}
}
