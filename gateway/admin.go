package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/securemcp/gateway/gateway/upstream"
	"github.com/securemcp/gateway/models"
)

// ServerLookup finds a server of a configuration named by id or name, as
// stored (its env sealed) with the id of its configuration, opens its env
// to start it, and lists the servers whose tool definitions wait for
// approval.
type ServerLookup interface {
	ServerToStart(ctx context.Context, config, server string) (string, models.Server, error)
	EnvOpener
	PendingTools(ctx context.Context) ([]models.PendingServerTools, error)
}

// Info describes this instance's gateway.
type Info struct {
	// Serving is false when this process serves the management API alone.
	Serving  bool
	Address  string
	Stateful bool
	Mode     ToolMode
}

// ProcessInfo is one upstream process as administrators see it.
type ProcessInfo struct {
	Server    string
	ConfigID  string
	UserID    string // empty for a shared process
	ProjectID string // empty for a shared process
	upstream.ProcessStatus
}

// Status is this instance's data plane: its settings and its processes,
// and the tool definitions of every configuration waiting for approval.
type Status struct {
	Info
	Processes    []ProcessInfo
	PendingTools []models.PendingServerTools
}

// Discovery is the outcome of starting a server to list its tools.
type Discovery struct {
	Server string
	Tools  []*mcp.Tool
	Took   time.Duration
	// Err says why the server could not be started or listed; Stderr is the
	// end of what it wrote (its env values redacted).
	Err    string
	Stderr string
}

// Admin answers administrators' questions about the data plane.
type Admin struct {
	pool    *upstream.Pool
	servers ServerLookup
	info    Info
}

// NewAdmin reports on pool's processes; servers finds the definitions to
// discover.
func NewAdmin(pool *upstream.Pool, servers ServerLookup, info Info) *Admin {
	return &Admin{pool: pool, servers: servers, info: info}
}

// Status lists every process of this instance's pool, and the pending tool
// definitions (shared by every instance: they are in the store).
func (a *Admin) Status(ctx context.Context) (Status, error) {
	st := Status{Info: a.info, Processes: []ProcessInfo{}}
	for _, p := range a.pool.Status() {
		info := ProcessInfo{Server: p.Server, ProcessStatus: p}
		info.ConfigID, info.UserID, info.ProjectID = parseScope(p.Isolation)
		st.Processes = append(st.Processes, info)
	}
	pending, err := a.servers.PendingTools(ctx)
	st.PendingTools = pending
	return st, err
}

// ProcessStates counts the processes in each state (metrics).
func (a *Admin) ProcessStates() map[string]int {
	counts := map[string]int{}
	for _, p := range a.pool.Status() {
		counts[string(p.State)]++
	}
	return counts
}

// Discover starts a server of a configuration in a throwaway process and
// lists its tools, so that an admin can check a new server before any user
// reaches it. A server that fails is a result (with its error), not an error:
// errors are for a configuration or server that does not exist.
func (a *Admin) Discover(ctx context.Context, config, server string) (Discovery, error) {
	configID, s, err := a.servers.ServerToStart(ctx, config, server)
	if err != nil {
		return Discovery{}, err
	}
	start := time.Now()
	tools, err := a.pool.Discover(ctx, sealedSpec(a.servers, configID, s))
	d := Discovery{Server: s.Name, Tools: tools, Took: time.Since(start)}
	if err != nil {
		d.Tools = nil
		d.Err = err.Error()
		var pe *upstream.ProcessError
		if errors.As(err, &pe) {
			d.Stderr = pe.Stderr
		}
	}
	return d, nil
}

// Result is the API's form of a discovery.
func (d Discovery) Result() models.DiscoveryResult {
	res := models.DiscoveryResult{ServerName: d.Server, OK: d.Err == "", ToolCount: len(d.Tools), Tools: make([]models.DiscoveredTool, 0, len(d.Tools)),
		DurationMS: d.Took.Milliseconds(), Error: d.Err, StderrTail: d.Stderr}
	for _, t := range d.Tools {
		tool := models.DiscoveredTool{Name: t.Name, Title: t.Title, Description: t.Description}
		tool.InputSchema, _ = json.Marshal(t.InputSchema) // decoded from JSON: always encodes
		if t.Annotations != nil {
			tool.Annotations, _ = json.Marshal(t.Annotations)
		}
		res.Tools = append(res.Tools, tool)
	}
	return res
}

// parseScope reads back the parts of a Scope.
func parseScope(scope string) (config, user, project string) {
	for _, part := range strings.Split(scope, "/") {
		kind, id, _ := strings.Cut(part, ":")
		switch kind {
		case "config":
			config = id
		case "user":
			user = id
		case "project":
			project = id
		}
	}
	return config, user, project
}
