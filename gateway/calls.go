package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/gateway/upstream"
	"github.com/securemcp/gateway/models"
)

// ListTools returns the tools the principal's client sees: the original
// system's enkrypt_* tools and the flat tools of every server that answers,
// as the tool mode says. A server that cannot be reached is left out (and
// logged) without failing the others. The slice is shared: callers must not
// modify it.
func (g *Gateway) ListTools(ctx context.Context, p Principal) ([]*mcp.Tool, error) {
	if g.opts.Mode == ToolsOriginal {
		return g.meta, nil
	}
	table, err := g.table(ctx, p, true)
	if err != nil {
		return nil, err
	}
	return table.listing.tools, nil
}

// ListToolsJSON is the result of ListTools as the JSON of a tools/list
// result, encoded once per table: as the SDK would send it to a client of
// the sessionless protocol (2026-07-28) when sessionless is set, to a client
// of an earlier one otherwise.
func (g *Gateway) ListToolsJSON(ctx context.Context, p Principal, sessionless bool) (json.RawMessage, error) {
	if g.opts.Mode == ToolsOriginal {
		return g.metaList.result(sessionless, g.impl)
	}
	table, err := g.table(ctx, p, true)
	if err != nil {
		return nil, err
	}
	return table.listing.result(sessionless, g.impl)
}

// CallTool routes a call by its flat name (or to an enkrypt_* tool). An
// unknown name is a protocol error, as the MCP specification asks; every
// failure past that point is a tool result with isError, which the model can
// read.
func (g *Gateway) CallTool(ctx context.Context, p Principal, params *mcp.CallToolParamsRaw, progress ProgressFunc) (*mcp.CallToolResult, error) {
	if g.opts.Mode != ToolsFlat && isMetaTool(params.Name) {
		return g.callMeta(ctx, p, params, progress)
	}
	if g.opts.Mode != ToolsOriginal {
		route, server, down, ok, err := g.route(ctx, p, params.Name)
		if err != nil {
			return nil, err
		}
		if down != nil {
			g.opts.Observer.ToolCall(CallEvent{Principal: p, Server: server.Name, Tool: params.Name, Outcome: OutcomeUnavailable,
				ArgsHash: audit.ArgsHash(rawArguments(params.Arguments))})
			return down, nil
		}
		if ok {
			routed := *params
			routed.Name = route.Tool
			res, _ := g.invoke(ctx, p, server, &routed, progress)
			return res, nil
		}
	}
	g.opts.Observer.ToolCall(CallEvent{Principal: p, Tool: params.Name, Outcome: OutcomeUnknownTool,
		ArgsHash: audit.ArgsHash(rawArguments(params.Arguments))})
	return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "unknown tool " + quote(params.Name)}
}

// route finds the server and tool of a flat name in the principal's table,
// building the table when this instance has none yet for the principal's
// configuration version (one build shared by the requests that ask at the
// same time, each waiting for the discovery of every server), and once more
// when the name is missing (the server may have offered a new tool since).
// The routed server's current tool list is checked against the one the
// table was built from: a definition that changed since (a "rug pull"
// between two listings) goes through pins and guardrails again before any
// call reaches it. A name that only a server whose discovery failed could
// have offered gets that server's unavailability as the answer (down).
func (g *Gateway) route(ctx context.Context, p Principal, name string) (_ Route, _ models.Server, down *mcp.CallToolResult, ok bool, _ error) {
	var table *ToolTable
	for attempt := 0; attempt < 2; attempt++ {
		var err error
		if attempt == 1 {
			table, err = g.table(ctx, p, false) // rebuilt even from unchanged lists: pins may have been approved
		} else if table = g.tables.get(tableKey(p)); table == nil {
			table, err = g.sharedTable(ctx, p)
		}
		if err != nil {
			return Route{}, models.Server{}, nil, false, err
		}
		r, found := table.Lookup(name)
		if !found {
			continue
		}
		i := slices.IndexFunc(table.defs, func(s models.Server) bool { return s.Name == r.Server })
		if i < 0 {
			continue
		}
		s := table.defs[i]
		if current, err := g.upstreamTools(ctx, p, s); err == nil && !sameSlice(current, table.sources[i]) {
			continue // the server's list changed: rebuild, and look again
		}
		return r, s, nil, true, nil
	}
	if server, cause := table.unavailableServer(name); cause != nil {
		return Route{Server: server}, table.servers[server], unavailable(server, cause), false, nil
	}
	return Route{}, models.Server{}, nil, false, nil
}

// table returns the principal's tool table. It lists every server's tools
// in parallel (each within the discovery timeout; the pool keeps each
// process's list until the server announces a change). When every server
// answered with the very lists the kept table was built from, and reuse is
// set, that table is still right and is returned; otherwise allow-lists and
// the enforcer's tool checks are applied to the new lists and the table
// rebuilt and kept.
func (g *Gateway) table(ctx context.Context, p Principal, reuse bool) (*ToolTable, error) {
	servers, err := g.snapshots.servers(ctx, p)
	if err != nil {
		return nil, err
	}
	raw := make([][]*mcp.Tool, len(servers))
	errs := make([]error, len(servers))
	var wg sync.WaitGroup
	for i, s := range servers {
		wg.Go(func() {
			raw[i], errs[i] = g.upstreamTools(ctx, p, s)
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err // the caller left: what it saw is no table to keep
	}
	key := tableKey(p)
	failed := map[string]error{}
	for i, err := range errs {
		if err != nil {
			failed[servers[i].Name] = err
		}
	}
	if kept := g.tables.get(key); reuse && kept != nil && len(failed) == 0 && kept.builtFrom(servers, raw) {
		return kept, nil
	}
	lists := make([]ServerTools, len(servers))
	for i, s := range servers {
		lists[i] = ServerTools{Server: s.Name}
		if errs[i] == nil {
			lists[i].Tools = g.offered(ctx, p, s, raw[i])
		}
	}
	table := buildToolTable(lists, metaToolNames)
	table.failed = failed
	table.servers = make(map[string]models.Server, len(servers))
	for _, s := range servers {
		table.servers[s.Name] = s
	}
	table.sources, table.defs = raw, servers
	table.listing.tools = table.Tools
	if g.opts.Mode == ToolsBoth {
		table.listing.tools = slices.Concat(g.meta, table.Tools)
	}
	g.tables.put(key, table)
	return table, nil
}

// serverTools lists one server's offered tools; nil when it cannot be reached.
func (g *Gateway) serverTools(ctx context.Context, p Principal, s models.Server) []*mcp.Tool {
	tools, err := g.upstreamTools(ctx, p, s)
	if err != nil {
		return nil
	}
	return g.offered(ctx, p, s, tools)
}

// offered applies the server's pins, its allow-list and the enforcer's tool checks.
func (g *Gateway) offered(ctx context.Context, p Principal, s models.Server, tools []*mcp.Tool) []*mcp.Tool {
	ctx, cancel := context.WithTimeout(ctx, g.opts.DiscoveryTimeout)
	defer cancel()
	// Pins first, over everything the server offers (a tool the allow-list
	// admits later must not come in unpinned), then the allow-list, then the
	// tool guardrails.
	return g.opts.Enforcer.Tools(ctx, p, s, NewAllowList(s.Tools).Filter(g.pins.offered(ctx, p, s, tools)))
}

// invoke calls one tool of one server through both enforcement points. It
// always answers with a result (failures are results with isError) and says
// how the call ended. Everything of the upstream's that reaches the client
// passes the output point: its result, the text of its error answer, and
// (under an output policy) nothing of its progress messages.
func (g *Gateway) invoke(ctx context.Context, p Principal, server models.Server, params *mcp.CallToolParamsRaw, progress ProgressFunc) (_ *mcp.CallToolResult, outcome Outcome) {
	start := g.opts.Now()
	event := CallEvent{Principal: p, Server: server.Name, Tool: params.Name, ArgsHash: audit.ArgsHash(rawArguments(params.Arguments))}
	call := &Call{Principal: p, Server: server, Tool: params.Name, Arguments: rawArguments(params.Arguments)}
	defer func() {
		event.Total = g.opts.Now().Sub(start)
		event.Verdicts = call.Verdicts
		outcome = event.Outcome
		g.logCall(event)
		g.opts.Observer.ToolCall(event)
	}()
	refusal, state := g.opts.Enforcer.Before(ctx, call)
	if refusal != nil {
		event.Outcome = OutcomeBlocked
		return refusal, ""
	}
	if progress != nil && server.OutputPolicy.Enabled {
		// A progress message is upstream text the output policy never sees:
		// only the numbers are relayed.
		relay := progress
		progress = func(n *mcp.ProgressNotificationParams) {
			numbers := *n
			numbers.Message = ""
			relay(&numbers)
		}
	}
	callCtx, cancel := context.WithTimeout(ctx, g.opts.CallTimeout)
	defer cancel()
	upstreamStart := g.opts.Now()
	res, err := g.opts.Upstreams.Call(callCtx, Scope(p, server), server, &mcp.CallToolParamsRaw{Meta: params.Meta, Name: params.Name,
		Arguments: call.Arguments, InputResponses: params.InputResponses, RequestState: params.RequestState}, progress)
	event.Upstream = g.opts.Now().Sub(upstreamStart)
	if err != nil {
		var msg string
		event.Outcome, msg = classify(ctx, callCtx, err, g.opts.CallTimeout)
		res = errorResult("%s: %s", server.Name, msg)
		if event.Outcome != OutcomeToolError {
			return res, "" // the gateway's own words
		}
	}
	out, withheld := g.opts.Enforcer.After(ctx, call, state, res)
	switch {
	case withheld:
		event.Outcome = OutcomeWithheld
	case event.Outcome == OutcomeToolError, out.IsError:
		event.Outcome = OutcomeToolError
	default:
		event.Outcome = OutcomeOK
	}
	return out, ""
}

// classify names a failed call's outcome and explains it to the client
// without internals.
func classify(ctx, callCtx context.Context, err error, timeout time.Duration) (Outcome, string) {
	switch {
	case ctx.Err() != nil:
		return OutcomeCancelled, "the call was cancelled"
	case errors.Is(callCtx.Err(), context.DeadlineExceeded), errors.Is(err, upstream.ErrCallTimeout):
		return OutcomeTimeout, "the tool did not answer within " + timeout.String()
	case errors.Is(err, upstream.ErrAtCapacity):
		return OutcomeAtCapacity, "the gateway is at capacity for this server; try again shortly"
	case errors.Is(err, upstream.ErrCircuitOpen):
		return OutcomeUnavailable, "the server is failing repeatedly and is paused; try again later"
	case errors.Is(err, upstream.ErrUpstreamCrashed):
		return OutcomeUnavailable, "the server stopped while handling the call; the next call restarts it"
	case errors.Is(err, upstream.ErrStartFailed), errors.Is(err, upstream.ErrStartTimeout), errors.Is(err, upstream.ErrInvalidSpec):
		return OutcomeUnavailable, "the server could not be started"
	case errors.Is(err, upstream.ErrInvalidCall):
		return OutcomeToolError, "the arguments must be a JSON object"
	}
	var rpcErr *jsonrpc.Error
	if errors.As(err, &rpcErr) {
		return OutcomeToolError, rpcErr.Message
	}
	return OutcomeUnknownError, "the call failed"
}

// logCall writes one line per tool call: who, where, how it ended, how long
// it took; never arguments, results or env values.
func (g *Gateway) logCall(e CallEvent) {
	g.opts.Logger.Info("tool call",
		zap.String("key_id", e.Principal.KeyID), zap.String("user_id", e.Principal.UserID),
		zap.String("project_id", e.Principal.ProjectID), zap.String("config_id", e.Principal.ConfigID),
		zap.String("server", e.Server), zap.String("tool", e.Tool), zap.String("outcome", string(e.Outcome)),
		zap.Duration("upstream", e.Upstream), zap.Duration("total", e.Total))
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
