package gateway

import (
	"context"
	"errors"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/gateway/upstream"
	"github.com/securemcp/gateway/models"
)

// upstreamTools lists every tool of one server, within the discovery
// timeout. Concurrent listings of one server for one scope share a single
// discovery: the first calls after a start (or a configuration change) all
// wait for the same start and get the very same list, which is what the
// tool table compares to tell whether it still holds. The discovery runs on a
// context of its own, so that the client that started it leaving does not
// fail the others; each waiter can still give up on its own. A failure is
// logged once per discovery.
func (g *Gateway) upstreamTools(ctx context.Context, p Principal, s models.Server) ([]*mcp.Tool, error) {
	scope := Scope(p, s)
	key := scope + "\x00" + s.Name + "\x00" + Spec(s).Key()
	ch := g.discoveries.DoChan(key, func() (any, error) {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.opts.DiscoveryTimeout)
		defer cancel()
		tools, err := g.opts.Upstreams.Tools(dctx, scope, s)
		if err != nil {
			g.opts.Logger.Warn("upstream server left out of tools/list", zap.String("config_id", p.ConfigID),
				zap.String("server", s.Name), zap.String("key_id", p.KeyID), zap.Error(err))
			return nil, err
		}
		return tools, nil
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.([]*mcp.Tool), nil
	}
}

// sharedTable is table with reuse set, built once for all the requests of a
// principal's configuration version that ask at the same time: concurrent
// first requests wait for one build, over one discovery of each server,
// instead of each building (and keeping) a table of its own.
func (g *Gateway) sharedTable(ctx context.Context, p Principal) (*ToolTable, error) {
	ch := g.tables.builds.DoChan(tableKey(p), func() (any, error) {
		// Each step is bounded by the discovery timeout; the build outlives
		// the request that started it, for the others waiting.
		return g.table(context.WithoutCancel(ctx), p, true)
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*ToolTable), nil
	}
}

// unavailableServer is the server among those whose discovery failed in
// the table that could have offered the flat name (see flatName), and why
// it failed; a nil cause when there is none.
func (t *ToolTable) unavailableServer(name string) (server string, cause error) {
	for _, s := range t.defs {
		if err := t.failed[s.Name]; err != nil && couldBelongTo(name, s.Name) {
			return s.Name, err
		}
	}
	return "", nil
}

// couldBelongTo reports whether flatName could give name to a tool of
// server: the name starts with the server's sanitised name and the
// separator, or is a shortened name (with its hash suffix) whose stem is a
// start of them.
func couldBelongTo(name, server string) bool {
	prefix := sanitize(server) + nameSeparator
	if strings.HasPrefix(name, prefix) {
		return true
	}
	const suffixLen = 9 // "_" and 8 hex digits
	return len(name) == MaxToolNameLength && strings.HasPrefix(prefix, name[:MaxToolNameLength-suffixLen])
}

// unavailable is the answer to a call for a tool of a server whose tools
// could not be discovered: the server is named, the cause (logged with the
// discovery) is not.
func unavailable(server string, err error) *mcp.CallToolResult {
	msg := "the server is unavailable: its tools could not be listed"
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, upstream.ErrStartTimeout):
		msg = "the server is unavailable: it did not start in time"
	case errors.Is(err, upstream.ErrCircuitOpen):
		msg = "the server is failing repeatedly and is paused; try again later"
	case errors.Is(err, upstream.ErrAtCapacity):
		msg = "the gateway is at capacity for this server; try again shortly"
	case errors.Is(err, upstream.ErrStartFailed), errors.Is(err, upstream.ErrInvalidSpec), errors.Is(err, upstream.ErrUpstreamCrashed):
		msg = "the server is unavailable: it could not be started"
	}
	return errorResult("%s: %s", server, msg)
}
