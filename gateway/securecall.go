package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/securemcp/gateway/models"
)

// maxBatchCalls bounds one enkrypt_secure_call_tools request, and
// batchTimeoutCalls its time: that many call timeouts in all.
const (
	maxBatchCalls     = 64
	batchTimeoutCalls = 4
)

// toolCall is one entry of tool_calls, with the original's aliases: the name
// as name or tool_name, the arguments as args, arguments, tool_arguments or
// tool_input_arguments (the first one given wins, as in the original).
type toolCall struct {
	Name               string          `json:"name"`
	ToolName           string          `json:"tool_name"`
	Args               json.RawMessage `json:"args"`
	Arguments          json.RawMessage `json:"arguments"`
	ToolArguments      json.RawMessage `json:"tool_arguments"`
	ToolInputArguments json.RawMessage `json:"tool_input_arguments"`
}

func (c toolCall) name() string {
	if c.Name != "" {
		return c.Name
	}
	return c.ToolName
}

func (c toolCall) args() json.RawMessage {
	for _, a := range []json.RawMessage{c.Args, c.Arguments, c.ToolArguments, c.ToolInputArguments} {
		if given(a) {
			return a
		}
	}
	return json.RawMessage("{}")
}

// given reports an argument the original would have taken: not absent, null
// or empty.
func given(a json.RawMessage) bool {
	switch strings.TrimSpace(string(a)) {
	case "", "null", "{}", `""`, "[]":
		return false
	}
	return true
}

// parseToolCalls reads tool_calls: a list, or a single object (which the
// original's clients sometimes send).
func parseToolCalls(raw json.RawMessage) ([]toolCall, error) {
	trimmed := strings.TrimSpace(string(raw))
	if trimmed == "" || trimmed == "null" {
		return nil, nil
	}
	if strings.HasPrefix(trimmed, "{") {
		var one toolCall
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, err
		}
		return []toolCall{one}, nil
	}
	var calls []toolCall
	if err := json.Unmarshal(raw, &calls); err != nil {
		return nil, err
	}
	return calls, nil
}

// secureCall runs enkrypt_secure_call_tools: every call goes through exactly
// the same allow-list, enforcement points and pool as a flat tool call. As in
// the original, the batch stops at the first call that fails or is blocked.
func (g *Gateway) secureCall(ctx context.Context, p Principal, servers []models.Server, args metaArgs, progress ProgressFunc) map[string]any {
	server, refusal := findServer(servers, args.ServerName)
	if refusal != nil {
		return refusal
	}
	calls, err := parseToolCalls(args.ToolCalls)
	if err != nil {
		return map[string]any{"status": "error", "error": "tool_calls must be a list of {name, args} objects: " + err.Error()}
	}
	if len(calls) > maxBatchCalls {
		return map[string]any{"status": "error", "error": fmt.Sprintf("tool_calls has %d calls; at most %d are allowed", len(calls), maxBatchCalls)}
	}
	tools := g.serverTools(ctx, p, server)
	if tools == nil {
		return map[string]any{"status": "error", "error": fmt.Sprintf("No tools found for %s even after discovery", server.Name)}
	}
	if len(calls) == 0 {
		return map[string]any{"status": "success", "message": "Successfully discovered tools for " + server.Name, "tools": toolsDoc(tools)}
	}
	offered := make(map[string]bool, len(tools))
	for _, t := range tools {
		offered[t.Name] = true
	}
	results := make([]any, 0, len(calls))
	counts := map[string]int{}
	if len(calls) > 1 {
		// One progress token for several calls would go back to zero at each:
		// the specification wants it to only grow.
		progress = nil
	}
	// The batch as a whole is bounded too, beside each call's own limit.
	ctx, cancel := context.WithTimeout(ctx, g.opts.CallTimeout*batchTimeoutCalls)
	defer cancel()
	for i, c := range calls {
		r := g.secureCallOne(ctx, p, server, offered, i, c, progress)
		results = append(results, r)
		status := r["status"].(string)
		counts[status]++
		if status != "success" {
			break
		}
	}
	return map[string]any{
		"server_name": server.Name,
		"status":      "success",
		"summary": map[string]any{"total_calls": len(calls), "successful_calls": counts["success"],
			"blocked_calls": counts["blocked_input"] + counts["blocked_output"], "failed_calls": counts["error"]},
		"guardrails_applied": map[string]any{
			"input_guardrails_enabled":  server.InputPolicy.Enabled,
			"output_guardrails_enabled": server.OutputPolicy.Enabled,
		},
		"results": results,
	}
}

// secureCallOne is one call of a batch, in the original's result shape, with
// the full content of the tool's result beside the original's text.
func (g *Gateway) secureCallOne(ctx context.Context, p Principal, server models.Server, offered map[string]bool, i int, c toolCall, progress ProgressFunc) map[string]any {
	name, args := c.name(), c.args()
	data := map[string]any{"call_index": i, "server_name": server.Name, "tool_name": name, "args": args}
	if name == "" {
		return map[string]any{"status": "error", "error": "No tool_name provided", "message": "No tool_name provided", "enkrypt_mcp_data": data}
	}
	if !offered[name] {
		msg := fmt.Sprintf("Tool '%s' not found for this server.", name)
		return map[string]any{"status": "error", "error": msg, "message": msg, "enkrypt_mcp_data": data}
	}
	res, outcome := g.invoke(ctx, p, server, &mcp.CallToolParamsRaw{Name: name, Arguments: args}, progress)
	out := map[string]any{"response": resultText(res), "content": res.Content, "is_error": res.IsError, "enkrypt_mcp_data": data}
	if res.StructuredContent != nil {
		out["structured_content"] = res.StructuredContent
	}
	switch outcome {
	case OutcomeOK, OutcomeToolError:
		out["status"], out["message"] = "success", "Request processed successfully"
	case OutcomeBlocked:
		out["status"], out["message"], out["response"] = "blocked_input", resultText(res), ""
	case OutcomeWithheld:
		out["status"], out["message"], out["response"] = "blocked_output", resultText(res), ""
	default:
		out["status"], out["message"], out["error"] = "error", resultText(res), resultText(res)
	}
	return out
}

// resultText joins the text items of a result, as the original's "response".
func resultText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, t.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// cacheStatus reports what this gateway holds for the caller's own
// configuration: the routing table and each server's tool list.
func (g *Gateway) cacheStatus(p Principal, servers []models.Server) map[string]any {
	table := g.tables.get(tableKey(p))
	perServer := map[string]any{}
	for _, s := range servers {
		count := 0
		if table != nil {
			for _, r := range table.routes {
				if r.Server == s.Name {
					count++
				}
			}
		}
		perServer[s.Name] = map[string]any{"cached": table != nil, "tool_count": count}
	}
	return map[string]any{"status": "success", "cache_status": map[string]any{
		"cache_type": "local", "config_id": p.ConfigID, "config_version": p.ConfigVersion,
		"gateway_specific": map[string]any{"config": map[string]any{"exists": table != nil}, "servers": perServer},
	}}
}

// clearCache drops the caller's routing table and makes the pool ask the
// servers (all of the configuration's, or the one named) for their tools
// again. Nothing of other users is touched but the tool lists of shared
// processes, which are read again.
func (g *Gateway) clearCache(p Principal, servers []models.Server, args metaArgs) map[string]any {
	g.tables.drop(tableKey(p))
	scope := "all servers"
	if args.ServerName != nil && *args.ServerName != "" {
		scope = "server " + *args.ServerName
	}
	if r, ok := g.opts.Upstreams.(Refresher); ok {
		for _, s := range servers {
			if args.ServerName == nil || *args.ServerName == "" || *args.ServerName == s.Name {
				r.Refresh(Scope(p, s), s.Name)
			}
		}
	}
	return map[string]any{"status": "success", "message": "Cache cleared for " + scope + " of your configuration"}
}
