// Package gateway is the data plane: it turns a verified key into its
// project's configuration, offers that configuration's tools to the MCP
// client, and routes each call to the upstream server that owns the tool,
// through one enforcement point before the upstream is called and one after
// its result. It reaches the management core and the process pool through the
// small interfaces declared here.
package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.uber.org/zap"
	"golang.org/x/sync/singleflight"

	"github.com/securemcp/gateway/models"
)

// Principal is who a verified gateway key acts for.
type Principal struct {
	KeyID       string
	UserID      string
	Email       string
	ProjectID   string
	ProjectName string
	ConfigID    string
	ConfigName  string
	// ConfigVersion is the configuration's last change: a new version means
	// new server definitions, whichever instance made the change.
	ConfigVersion time.Time
	// Addr is the client's address (trusted proxies resolved), for the
	// audit trail.
	Addr string
}

// Catalog reads configurations.
type Catalog interface {
	// ConfigServers returns the servers of a configuration, in order, and
	// the configuration's version (its last change) they belong to.
	ConfigServers(ctx context.Context, configID string) ([]models.Server, time.Time, error)
}

// ProgressFunc receives an upstream's progress notifications for one call.
type ProgressFunc func(*mcp.ProgressNotificationParams)

// Upstreams runs the configuration's servers.
type Upstreams interface {
	// Tools lists the tools of server's process for scope, starting it if needed.
	Tools(ctx context.Context, scope string, server models.Server) ([]*mcp.Tool, error)
	// Call calls a tool of server's process for scope; arguments are forwarded
	// as they are.
	Call(ctx context.Context, scope string, server models.Server, params *mcp.CallToolParamsRaw, progress ProgressFunc) (*mcp.CallToolResult, error)
}

// Refresher is an Upstreams that can forget the tool lists it keeps for a
// scope's servers (enkrypt_clear_cache).
type Refresher interface {
	Refresh(scope string, servers ...string)
}

// ToolMode chooses which tools clients see: the flat <server>__<tool> tools,
// the original system's enkrypt_* tools, or both.
type ToolMode string

// Tool modes.
const (
	ToolsFlat     ToolMode = "flat"
	ToolsOriginal ToolMode = "original"
	ToolsBoth     ToolMode = "both"
)

// ParseToolMode reads a tool mode setting.
func ParseToolMode(s string) (ToolMode, error) {
	switch m := ToolMode(s); m {
	case ToolsFlat, ToolsOriginal, ToolsBoth:
		return m, nil
	case "":
		return ToolsBoth, nil
	}
	return "", fmt.Errorf("tool mode %q is not one of flat, original, both", s)
}

// Options configure a Gateway.
type Options struct {
	Catalog   Catalog
	Upstreams Upstreams
	// Enforcer checks calls before and after the upstream; nil lets every
	// call through.
	Enforcer Enforcer
	Logger   *zap.Logger
	// Pins records tool definitions for approval (tool pinning); nil offers
	// every definition unchecked.
	Pins PinStore
	// Observer receives one event per tool call (metrics); optional.
	Observer Observer
	Mode     ToolMode
	// DiscoveryTimeout bounds the listing of one server's tools (the
	// original's 20 s); CallTimeout bounds one tool call (60 s).
	DiscoveryTimeout time.Duration
	CallTimeout      time.Duration
	// Now is the clock (tests).
	Now func() time.Time
	// Version is the gateway's version, as MCP clients see it.
	Version string
}

// Gateway serves the tools of each key's configuration.
type Gateway struct {
	opts      Options
	snapshots snapshotCache
	tables    tableCache
	// discoveries are the tool listings in flight, by scope and server.
	discoveries singleflight.Group
	// impl is the gateway as MCP clients see it.
	impl *mcp.Implementation
	// meta is the original's tools, and metaList their tools/list result.
	meta     []*mcp.Tool
	metaList listing
	pins     pinCheck
}

// New checks the options and applies defaults.
func New(opts Options) (*Gateway, error) {
	if opts.Catalog == nil || opts.Upstreams == nil || opts.Logger == nil {
		return nil, errors.New("gateway: catalog, upstreams and logger are required")
	}
	if opts.Enforcer == nil {
		opts.Enforcer = PassThrough{}
	}
	if opts.Observer == nil {
		opts.Observer = noObserver{}
	}
	if opts.Mode == "" {
		opts.Mode = ToolsBoth
	}
	if opts.DiscoveryTimeout <= 0 {
		opts.DiscoveryTimeout = 20 * time.Second
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 60 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	g := &Gateway{opts: opts, meta: metaTools(), pins: pinCheck{store: opts.Pins, log: opts.Logger},
		impl: &mcp.Implementation{Name: "secure-mcp-gateway", Title: "Secure MCP Gateway", Version: opts.Version}}
	g.metaList.tools = g.meta
	g.snapshots.catalog, g.snapshots.log = opts.Catalog, opts.Logger
	return g, nil
}

// Scope is the process isolation key of a server for a principal: by default
// each user of each project has processes of their own (two users never share
// a process's state); a server marked shared_process has one process per
// configuration. The configuration is part of both, so that status can say
// whose process it is.
func Scope(p Principal, s models.Server) string {
	if s.SharedProcess {
		return "config:" + p.ConfigID
	}
	return "config:" + p.ConfigID + "/user:" + p.UserID + "/project:" + p.ProjectID
}

// snapshotCache holds the servers of each configuration at its latest seen
// version. A principal carries the version it was verified against, so that
// an edit made on any instance is read at the next request, with no pub/sub.
type snapshotCache struct {
	catalog Catalog
	log     *zap.Logger
	mu      sync.Mutex
	byID    map[string]snapshot
	loads   singleflight.Group
}

type snapshot struct {
	version time.Time
	servers []models.Server
}

// servers returns the configuration's servers at the principal's version.
func (c *snapshotCache) servers(ctx context.Context, p Principal) ([]models.Server, error) {
	c.mu.Lock()
	s, ok := c.byID[p.ConfigID]
	c.mu.Unlock()
	if ok && s.version.Equal(p.ConfigVersion) {
		return s.servers, nil
	}
	key := p.ConfigID + "@" + p.ConfigVersion.UTC().Format(time.RFC3339Nano)
	// The read is shared by every request waiting for it: it runs on a
	// context of its own, so that the client that started it leaving does
	// not fail the others, and each waiter can still give up on its own.
	ch := c.loads.DoChan(key, func() (any, error) {
		loadCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), snapshotLoadTimeout)
		defer cancel()
		servers, version, err := c.catalog.ConfigServers(loadCtx, p.ConfigID)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.byID == nil {
			c.byID = map[string]snapshot{}
		}
		// Kept under the version read, not the one asked for: a read cache
		// may answer with the state of a moment ago, and such a snapshot
		// must not pass for the newer version (the next request reads again).
		if cur, ok := c.byID[p.ConfigID]; !ok || !cur.version.After(version) {
			c.byID[p.ConfigID] = snapshot{version: version, servers: servers}
		}
		return servers, nil
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case res := <-ch:
		if res.Err != nil {
			c.log.Error("cannot read a configuration", zap.String("config_id", p.ConfigID), zap.Error(res.Err))
			return nil, errConfigUnavailable
		}
		return res.Val.([]models.Server), nil
	}
}

// snapshotLoadTimeout bounds one read of a configuration.
const snapshotLoadTimeout = 10 * time.Second

// errConfigUnavailable is what a client hears of a store failure: the cause
// goes to the log, never to the client.
var errConfigUnavailable = &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: "the gateway cannot read your configuration right now; try again"}

// maxTables bounds the routing tables kept (one per user, project and
// configuration version seen recently).
const maxTables = 4096

// tableCache keeps the last tool table built for each principal and
// configuration version, so that a call is routed without listing every
// server again.
type tableCache struct {
	mu sync.Mutex
	m  map[string]*ToolTable
	// builds are the shared builds in flight, by table key.
	builds singleflight.Group
}

func tableKey(p Principal) string {
	return p.UserID + "/" + p.ProjectID + "/" + p.ConfigID + "@" + p.ConfigVersion.UTC().Format(time.RFC3339Nano)
}

func (c *tableCache) get(key string) *ToolTable {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key]
}

func (c *tableCache) put(key string, t *ToolTable) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*ToolTable{}
	}
	if _, ok := c.m[key]; !ok && len(c.m) >= maxTables {
		for k := range c.m { // an arbitrary entry: a miss only costs a rebuild
			delete(c.m, k)
			break
		}
	}
	c.m[key] = t
}

func (c *tableCache) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
}

// errorResult is a tool result that reports a failure to the model, as MCP
// asks for failures of a tool (as opposed to protocol errors).
func errorResult(format string, args ...any) *mcp.CallToolResult {
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: fmt.Sprintf(format, args...)}}}
}

// rawArguments is the arguments of a call as JSON, "{}" when absent.
func rawArguments(args json.RawMessage) json.RawMessage {
	if len(args) == 0 {
		return json.RawMessage("{}")
	}
	return args
}
