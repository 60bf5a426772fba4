package gateway

import (
	"context"
	"encoding/json"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/models"
)

// Call is one tool call on its way to an upstream.
type Call struct {
	Principal Principal
	Server    models.Server
	// Tool is the upstream's own name of the tool.
	Tool string
	// Arguments are forwarded byte for byte unless an enforcer rewrites them
	// (redaction).
	Arguments json.RawMessage
	// Verdicts are the enforcer's checks of the call, in the order they ran,
	// for its audit record.
	Verdicts []audit.Verdict
}

// Enforcer is where guardrails apply: every path to an upstream tool, the
// flat tools and the original system's enkrypt_secure_call_tools alike, goes
// through Before, then the upstream, then After.
type Enforcer interface {
	// Tools filters and checks a server's tools at discovery (tool poisoning,
	// pinning): a tool it leaves out is neither listed nor callable.
	Tools(ctx context.Context, p Principal, server models.Server, tools []*mcp.Tool) []*mcp.Tool
	// Before checks a call before the upstream is called. A non-nil result
	// refuses the call with that result and the upstream is never called; it
	// may rewrite call.Arguments. The returned state is handed to After.
	Before(ctx context.Context, call *Call) (refusal *mcp.CallToolResult, state any)
	// After checks the upstream's result (or the text of its error answer);
	// it returns the result to give the client (the same, redacted, restored,
	// or a refusal in place of a withheld one) and whether it withheld it.
	After(ctx context.Context, call *Call, state any, res *mcp.CallToolResult) (*mcp.CallToolResult, bool)
}

// PassThrough lets every tool and call through unchanged.
type PassThrough struct{}

// Tools returns tools unchanged.
func (PassThrough) Tools(_ context.Context, _ Principal, _ models.Server, tools []*mcp.Tool) []*mcp.Tool {
	return tools
}

// Before allows the call.
func (PassThrough) Before(context.Context, *Call) (*mcp.CallToolResult, any) { return nil, nil }

// After returns res.
func (PassThrough) After(_ context.Context, _ *Call, _ any, res *mcp.CallToolResult) (*mcp.CallToolResult, bool) {
	return res, false
}

// Outcome is how a tool call ended.
type Outcome string

// Outcomes of a tool call.
const (
	OutcomeOK           Outcome = "ok"            // the upstream answered
	OutcomeToolError    Outcome = "tool_error"    // the upstream answered with isError, or with an error
	OutcomeBlocked      Outcome = "blocked"       // refused before the upstream by the input guardrails
	OutcomeWithheld     Outcome = "withheld"      // the upstream's result was withheld after the call
	OutcomeUnavailable  Outcome = "unavailable"   // the upstream could not be started or crashed
	OutcomeAtCapacity   Outcome = "at_capacity"   // too many processes or concurrent calls
	OutcomeTimeout      Outcome = "timeout"       // the call took longer than the call timeout
	OutcomeCancelled    Outcome = "cancelled"     // the client cancelled the call
	OutcomeUnknownTool  Outcome = "unknown_tool"  // no such tool in the configuration
	OutcomeUnknownError Outcome = "upstream_fail" // any other failure of the upstream
)

// CallEvent describes one finished tool call, for logs, metrics and the
// audit trail.
type CallEvent struct {
	Principal Principal
	Server    string
	Tool      string
	Outcome   Outcome
	// Upstream is the time spent in the upstream; Total includes the checks.
	Upstream, Total time.Duration
	// ArgsHash identifies the arguments the client sent (audit.ArgsHash):
	// they are never kept in clear.
	ArgsHash string
	// Verdicts are the guardrail checks that ran.
	Verdicts []audit.Verdict
}

// Observers sends every event to each observer in turn.
type Observers []Observer

// ToolCall implements Observer.
func (o Observers) ToolCall(e CallEvent) {
	for _, obs := range o {
		obs.ToolCall(e)
	}
}

// Observer receives call events (metrics).
type Observer interface {
	ToolCall(CallEvent)
}

type noObserver struct{}

func (noObserver) ToolCall(CallEvent) {}
