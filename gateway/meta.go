package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/securemcp/gateway/models"
)

// The original system's own tools, offered to clients configured against it.
// Their names, argument names (with the original's aliases) and result shapes
// are the original's; their results carry every content item of a tool's
// result, not only the first text.
const (
	toolListServers = "enkrypt_list_all_servers"
	toolServerInfo  = "enkrypt_get_server_info"
	toolDiscover    = "enkrypt_discover_all_tools"
	toolSecureCall  = "enkrypt_secure_call_tools"
	toolCacheStatus = "enkrypt_get_cache_status"
	toolClearCache  = "enkrypt_clear_cache"
)

// metaToolNames are reserved: no upstream tool is given one of them.
var metaToolNames = map[string]bool{toolListServers: true, toolServerInfo: true, toolDiscover: true,
	toolSecureCall: true, toolCacheStatus: true, toolClearCache: true}

func isMetaTool(name string) bool { return metaToolNames[name] }

func objectSchema(properties map[string]any, required ...string) map[string]any {
	s := map[string]any{"type": "object", "properties": properties}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

var (
	optionalString = map[string]any{"anyOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "null"}}, "default": nil}
	readOnly       = &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, DestructiveHint: ptr(false), OpenWorldHint: ptr(false)}
)

func ptr[T any](v T) *T { return &v }

// metaTools are the definitions of the original's tools.
func metaTools() []*mcp.Tool {
	return []*mcp.Tool{
		{Name: toolListServers, Description: "Get detailed information about all available servers, including their tools and configuration status.",
			InputSchema: objectSchema(map[string]any{"discover_tools": map[string]any{"type": "boolean", "default": true}}),
			Annotations: withTitle(readOnly, "List Available Servers")},
		{Name: toolServerInfo, Description: "Get detailed information about a server, including its tools.",
			InputSchema: objectSchema(map[string]any{"server_name": map[string]any{"type": "string"}}, "server_name"),
			Annotations: withTitle(readOnly, "Get Server Info")},
		{Name: toolDiscover, Description: "Discover available tools for a specific server or all servers if server_name is None",
			InputSchema: objectSchema(map[string]any{"server_name": optionalString}),
			Annotations: withTitle(readOnly, "Discover Server Tools")},
		{Name: toolSecureCall, Description: "Securely call tools for a specific server. If there are multiple tool calls to be made, please pass all of them in a single list. If there is only one tool call, pass it as a single object in the list. If tools need to be discovered, pass empty list for tool_calls.",
			InputSchema: objectSchema(map[string]any{
				"server_name": map[string]any{"type": "string"},
				"tool_calls": map[string]any{"type": "array", "default": []any{}, "items": objectSchema(map[string]any{
					"name": map[string]any{"type": "string"}, "args": map[string]any{"type": "object"}})},
			}, "server_name"),
			Annotations: &mcp.ToolAnnotations{Title: "Securely Call Tools", DestructiveHint: ptr(true), OpenWorldHint: ptr(true)}},
		{Name: toolCacheStatus, Description: "Gets the current status of the gateway's tool cache for your servers. Use this only if you need to debug cache issues or asked specifically for cache status.",
			InputSchema: objectSchema(map[string]any{}), Annotations: withTitle(readOnly, "Get Cache Status")},
		{Name: toolClearCache, Description: "Clear the gateway cache for all or specific servers of your configuration. Use this only if you need to debug cache issues or asked specifically to clear cache.",
			InputSchema: objectSchema(map[string]any{"id": optionalString, "server_name": optionalString, "cache_type": optionalString}),
			Annotations: &mcp.ToolAnnotations{Title: "Clear Cache", DestructiveHint: ptr(false), IdempotentHint: true, OpenWorldHint: ptr(false)}},
	}
}

func withTitle(a *mcp.ToolAnnotations, title string) *mcp.ToolAnnotations {
	c := *a
	c.Title = title
	return &c
}

// metaArgs are the arguments of every enkrypt_* tool, under all the names the
// original accepted.
type metaArgs struct {
	ServerName    *string         `json:"server_name"`
	DiscoverTools *bool           `json:"discover_tools"`
	ToolCalls     json.RawMessage `json:"tool_calls"`
	CacheType     *string         `json:"cache_type"`
}

// callMeta runs one of the original's tools.
func (g *Gateway) callMeta(ctx context.Context, p Principal, params *mcp.CallToolParamsRaw, progress ProgressFunc) (*mcp.CallToolResult, error) {
	var args metaArgs
	if len(params.Arguments) > 0 && string(params.Arguments) != "null" {
		if err := json.Unmarshal(params.Arguments, &args); err != nil {
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: fmt.Sprintf("%s: arguments: %v", params.Name, err)}
		}
	}
	servers, err := g.snapshots.servers(ctx, p)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	switch params.Name {
	case toolListServers:
		doc = g.listServers(ctx, p, servers, args.DiscoverTools == nil || *args.DiscoverTools)
	case toolServerInfo:
		doc = g.serverInfo(ctx, p, servers, args.ServerName)
	case toolDiscover:
		doc = g.discover(ctx, p, servers, args.ServerName)
	case toolSecureCall:
		doc = g.secureCall(ctx, p, servers, args, progress)
	case toolCacheStatus:
		doc = g.cacheStatus(p, servers)
	case toolClearCache:
		doc = g.clearCache(p, servers, args)
	}
	return jsonResult(doc), nil
}

// jsonResult is a document as the original returned it (JSON text), and as
// structured content for clients that read it.
func jsonResult(doc map[string]any) *mcp.CallToolResult {
	text, err := json.Marshal(doc)
	if err != nil {
		return errorResult("the result could not be encoded")
	}
	res := &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(text)}}, StructuredContent: doc}
	if status, _ := doc["status"].(string); status == "error" {
		res.IsError = true
	}
	return res
}

func findServer(servers []models.Server, name *string) (models.Server, map[string]any) {
	if name == nil || strings.TrimSpace(*name) == "" {
		return models.Server{}, map[string]any{"status": "error", "error": "server_name is required"}
	}
	for _, s := range servers {
		if s.Name == *name {
			return s, nil
		}
	}
	return models.Server{}, map[string]any{"status": "error", "error": fmt.Sprintf("Server '%s' not available", *name)}
}

// serverDoc is a server's entry as the original shows it, env values masked:
// a gateway client never sees an upstream's secrets.
func serverDoc(s models.Server) map[string]any {
	env := make(map[string]string, len(s.Env))
	for k := range s.Env {
		env[k] = "****"
	}
	return map[string]any{
		"server_name": s.Name, "description": s.Description,
		"config":                        map[string]any{"command": s.Command, "args": maskArgs(s.Args), "env": env},
		"tools":                         s.Tools,
		"enable_server_info_validation": s.EnableServerInfoValidation,
		"input_guardrails_policy":       s.InputPolicy, "output_guardrails_policy": s.OutputPolicy,
		"tool_guardrails_policy": s.ToolPolicy,
	}
}

// secretWord finds a flag or parameter name that holds a credential.
var secretWord = regexp.MustCompile(`(?i)(token|secret|passw|pwd|key|auth|credential|cookie|session)`)

// maskArgs hides the credentials a command line may carry from gateway
// clients (and the model behind them): the password of a URL, the value of a
// secret-named flag (--api-key K, --token=T) or parameter (PASSWORD=x).
func maskArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if u, err := url.Parse(a); err == nil && u.User != nil {
			u.User = url.User("****")
			out[i] = u.String()
			continue
		}
		if name, _, ok := strings.Cut(a, "="); ok && secretWord.MatchString(name) {
			out[i] = name + "=****"
			continue
		}
		if i > 0 && strings.HasPrefix(args[i-1], "-") && !strings.Contains(args[i-1], "=") && secretWord.MatchString(args[i-1]) {
			out[i] = "****"
		}
	}
	return out
}

// toolsDoc is a server's tools, their full definitions.
func toolsDoc(tools []*mcp.Tool) []any {
	out := make([]any, len(tools))
	for i, t := range tools {
		out[i] = t
	}
	return out
}

func (g *Gateway) listServers(ctx context.Context, p Principal, servers []models.Server, discover bool) map[string]any {
	available := map[string]any{}
	var ok, failed []string
	// Discovered in parallel, as tools/list does: one slow server costs its
	// own discovery timeout, not the sum of all.
	found := make([][]*mcp.Tool, len(servers))
	if discover {
		var wg sync.WaitGroup
		for i, s := range servers {
			wg.Go(func() { found[i] = g.serverTools(ctx, p, s) })
		}
		wg.Wait()
	}
	for i, s := range servers {
		doc := serverDoc(s)
		if discover {
			if found[i] != nil {
				doc["tools"] = toolsDoc(found[i])
				ok = append(ok, s.Name)
			} else {
				failed = append(failed, s.Name)
			}
		}
		available[s.Name] = doc
	}
	out := map[string]any{"status": "success", "available_servers": available}
	if discover {
		out["discovery_success_servers"], out["discovery_failed_servers"] = orEmpty(ok), orEmpty(failed)
		out["message"] = fmt.Sprintf("Discovered tools for %d of %d servers", len(ok), len(servers))
	} else {
		out["servers_needing_discovery"] = []string{}
	}
	return out
}

func (g *Gateway) serverInfo(ctx context.Context, p Principal, servers []models.Server, name *string) map[string]any {
	s, refusal := findServer(servers, name)
	if refusal != nil {
		return refusal
	}
	return map[string]any{"status": "success", "server_name": s.Name, "server_info": serverDoc(s)}
}

func (g *Gateway) discover(ctx context.Context, p Principal, servers []models.Server, name *string) map[string]any {
	if name == nil || *name == "" {
		return g.listServers(ctx, p, servers, true)
	}
	s, refusal := findServer(servers, name)
	if refusal != nil {
		return refusal
	}
	tools := g.serverTools(ctx, p, s)
	if tools == nil {
		return map[string]any{"status": "error", "error": fmt.Sprintf("Tools of server '%s' could not be discovered", s.Name)}
	}
	return map[string]any{"status": "success", "message": fmt.Sprintf("Tools discovered for server %s", s.Name),
		"tools": toolsDoc(tools), "source": "discovery"}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	sort.Strings(s)
	return s
}
