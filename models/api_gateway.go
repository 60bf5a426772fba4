package models

import (
	"encoding/json"
	"time"
)

// GatewayStatus is the data of GET /api/v1/gateway/status: this instance's
// MCP gateway and its upstream processes.
type GatewayStatus struct {
	// Serving is false when this process serves the management API alone
	// (system start-api); processes then lists only discoveries in progress.
	Serving bool `json:"serving" example:"true"`
	// Address is where the gateway listens (empty when not serving).
	Address   string           `json:"address" example:"0.0.0.0:8000"`
	Stateful  bool             `json:"stateful" example:"false"`
	ToolMode  string           `json:"tool_mode" example:"both" enums:"flat,original,both"`
	Processes []GatewayProcess `json:"processes"`
	// PendingToolChanges are the tool definitions (of every configuration)
	// hidden until an admin approves them.
	PendingToolChanges []PendingServerTools `json:"pending_tool_changes"`
}

// GatewayProcess is one upstream MCP server process.
type GatewayProcess struct {
	ServerName string `json:"server_name" example:"github"`
	ConfigID   string `json:"config_id" example:"3f1e2a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b"`
	// UserID and ProjectID name whose process it is; empty for a server's
	// shared process.
	UserID    string `json:"user_id" example:"9b2d4c1e-0f3a-4b5c-8d7e-6f5a4b3c2d1e"`
	ProjectID string `json:"project_id" example:"5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11"`
	// State is starting, ready, draining, stopping, stopped, failed or circuit_open.
	State         string     `json:"state" example:"ready"`
	PID           int        `json:"pid" example:"4242"`
	StartedAt     *time.Time `json:"started_at" format:"date-time" extensions:"x-nullable"`
	UptimeSeconds float64    `json:"uptime_seconds" example:"93.5"`
	Restarts      int        `json:"restarts" example:"0"`
	InFlight      int        `json:"in_flight" example:"1"`
	// LastError is the last start failure or crash; StderrTail the end of
	// the process's stderr, with the server's env values redacted.
	LastError   string     `json:"last_error" example:""`
	LastErrorAt *time.Time `json:"last_error_at" format:"date-time" extensions:"x-nullable"`
	StderrTail  string     `json:"stderr_tail" example:""`
	// RetryAfter is when a paused server (circuit_open) is tried again.
	RetryAfter *time.Time `json:"retry_after" format:"date-time" extensions:"x-nullable"`
}

// DiscoveredTool is a tool an upstream server offers.
type DiscoveredTool struct {
	Name        string          `json:"name" example:"search_repositories"`
	Title       string          `json:"title,omitempty" example:"Search repositories"`
	Description string          `json:"description" example:"Search for GitHub repositories"`
	InputSchema json.RawMessage `json:"input_schema" swaggertype:"object"`
	Annotations json.RawMessage `json:"annotations,omitempty" swaggertype:"object"`
}

// DiscoveryResult is the data of POST /configs/{config}/servers/{server}/discover.
type DiscoveryResult struct {
	ServerName string `json:"server_name" example:"github"`
	// OK is false when the server could not be started or listed; Error
	// says why and StderrTail shows the end of what it wrote.
	OK         bool             `json:"ok" example:"true"`
	ToolCount  int              `json:"tool_count" example:"26"`
	Tools      []DiscoveredTool `json:"tools"`
	DurationMS int64            `json:"duration_ms" example:"1450"`
	Error      string           `json:"error,omitempty" example:""`
	StderrTail string           `json:"stderr_tail,omitempty" example:""`
}

// timePtr is nil for the zero time, so that JSON says null rather than year 1.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// NewGatewayProcess fills the API form of a process.
func NewGatewayProcess(server, configID, userID, projectID, state string, pid int, started time.Time, uptime time.Duration,
	restarts, inFlight int, lastError string, lastErrorAt time.Time, stderr string, retryAfter time.Time) GatewayProcess {
	return GatewayProcess{ServerName: server, ConfigID: configID, UserID: userID, ProjectID: projectID, State: state, PID: pid,
		StartedAt: timePtr(started), UptimeSeconds: uptime.Seconds(), Restarts: restarts, InFlight: inFlight,
		LastError: lastError, LastErrorAt: timePtr(lastErrorAt), StderrTail: stderr, RetryAfter: timePtr(retryAfter)}
}
