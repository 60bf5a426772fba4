package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.uber.org/zap"
	"golang.org/x/sync/singleflight"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/guardrails"
	"github.com/securemcp/gateway/models"
)

// EngineSource gives the guardrails engine to use now: the provider may
// follow settings an admin changes at run time (the Enkrypt provider's key).
type EngineSource func(ctx context.Context) (*guardrails.Engine, error)

// Guard applies each server's guardrails policies at the enforcement points:
// the input policy before the upstream is called (a blocked call never
// reaches it), the output policy on its result, and the tool policy on the
// tool definitions at discovery (tool poisoning).
type Guard struct {
	engines EngineSource
	log     *zap.Logger
	// verdicts keeps the tool policy's verdict on each tool definition (the
	// pool hands out the same *mcp.Tool until the upstream changes it, and
	// the key keeps it alive, so an address is never reused meanwhile):
	// checking every definition on every tools/list would cost milliseconds.
	// Kept per tool, never per list, so that a verdict cannot be applied to
	// another tool of a list filtered differently.
	mu       sync.Mutex
	verdicts map[toolVerdictKey]guardrails.ToolVerdict
}

type toolVerdictKey struct {
	tool   *mcp.Tool
	policy string
}

// maxKept bounds the per-tool caches of the gateway (verdicts, hashes).
const maxKept = 16384

// NewGuard enforces policies with the engines of source.
func NewGuard(source EngineSource, log *zap.Logger) *Guard {
	return &Guard{engines: source, log: log, verdicts: map[toolVerdictKey]guardrails.ToolVerdict{}}
}

// policy is a stored policy as the engine applies it.
func policy(p models.GuardrailPolicy) guardrails.Policy {
	return guardrails.NewPolicy(p.Enabled, p.PolicyName, p.Block, p.AdditionalConfig)
}

// guardState is what Before hands to After.
type guardState struct {
	input guardrails.InputVerdict
}

// Tools leaves out the tools the server's tool policy blocks.
func (g *Guard) Tools(ctx context.Context, p Principal, server models.Server, tools []*mcp.Tool) []*mcp.Tool {
	pol := policy(server.ToolPolicy)
	if !pol.Enabled || len(tools) == 0 {
		return tools
	}
	verdicts, err := g.toolsVerdicts(ctx, server, pol, tools)
	if err != nil {
		g.log.Warn("tool guardrails could not check a server's tools; none is offered", zap.String("server", server.Name), zap.Error(err))
		return nil
	}
	kept := make([]*mcp.Tool, 0, len(tools))
	for i, t := range tools {
		v := verdicts[i]
		if v.Blocked() {
			g.log.Warn("tool left out by the tool guardrails policy", zap.String("server", server.Name), zap.String("tool", t.Name),
				zap.String("config_id", p.ConfigID), zap.String("reason", v.Reason))
			continue
		}
		kept = append(kept, t)
	}
	return kept
}

func (g *Guard) toolsVerdicts(ctx context.Context, server models.Server, pol guardrails.Policy, tools []*mcp.Tool) ([]guardrails.ToolVerdict, error) {
	fingerprint, err := json.Marshal(server.ToolPolicy)
	if err != nil {
		return nil, err
	}
	out := make([]guardrails.ToolVerdict, len(tools))
	var missing []int
	g.mu.Lock()
	for i, t := range tools {
		v, ok := g.verdicts[toolVerdictKey{t, string(fingerprint)}]
		if !ok {
			missing = append(missing, i)
		}
		out[i] = v
	}
	g.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	engine, err := g.engines(ctx)
	if err != nil {
		return nil, err
	}
	unchecked := make([]*mcp.Tool, len(missing))
	for j, i := range missing {
		unchecked[j] = tools[i]
	}
	defs, err := json.Marshal(unchecked)
	if err != nil {
		return nil, err
	}
	verdicts, err := engine.CheckTools(ctx, pol, defs)
	if err != nil {
		return nil, err
	}
	if len(verdicts) != len(unchecked) {
		return nil, fmt.Errorf("%d verdicts for %d tools", len(verdicts), len(unchecked))
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.verdicts)+len(verdicts) > maxKept {
		clear(g.verdicts)
	}
	for j, i := range missing {
		out[i] = verdicts[j]
		if verdicts[j].Err == nil { // a provider failure is not kept: the next listing asks again
			g.verdicts[toolVerdictKey{tools[i], string(fingerprint)}] = verdicts[j]
		}
	}
	return out, nil
}

// Before applies the input policy: the tool name and every string of the
// arguments. A block refuses the call; pii_redaction replaces PII in the
// arguments by placeholders, restored in the result by After.
func (g *Guard) Before(ctx context.Context, call *Call) (*mcp.CallToolResult, any) {
	pol := policy(call.Server.InputPolicy)
	if !pol.Enabled {
		return nil, nil
	}
	engine, err := g.engines(ctx)
	if err != nil {
		g.log.Error("input guardrails unavailable; the call is refused", zap.String("server", call.Server.Name), zap.Error(err))
		return errorResult("Blocked: the input guardrails of %s cannot be applied right now", call.Server.Name), nil
	}
	started := time.Now()
	in := engine.CheckInput(ctx, pol, call.Tool, call.Arguments)
	call.Verdicts = append(call.Verdicts, auditVerdict("input", in.Verdict, time.Since(started)))
	g.logVerdict("input", call, in.Verdict)
	if in.Blocked() {
		return refusal("input", call.Server.Name, in.Verdict), nil
	}
	call.Arguments = in.Arguments
	return nil, guardState{input: in}
}

// After applies the output policy to every text of the result (content
// items, embedded resources, structuredContent strings), then restores what
// the input redaction replaced. A block withholds the whole result.
func (g *Guard) After(ctx context.Context, call *Call, state any, res *mcp.CallToolResult) (*mcp.CallToolResult, bool) {
	st, _ := state.(guardState)
	pol := policy(call.Server.OutputPolicy)
	if !pol.Enabled && st.input.Redaction == nil {
		return res, false
	}
	raw, err := json.Marshal(res)
	if err != nil {
		return errorResult("Withheld: the result of %s could not be checked", call.Server.Name), true
	}
	if pol.Enabled {
		engine, err := g.engines(ctx)
		if err != nil {
			g.log.Error("output guardrails unavailable; the result is withheld", zap.String("server", call.Server.Name), zap.Error(err))
			return errorResult("Withheld: the output guardrails of %s cannot be applied right now", call.Server.Name), true
		}
		started := time.Now()
		out := engine.CheckOutput(ctx, pol, raw)
		call.Verdicts = append(call.Verdicts, auditVerdict("output", out, time.Since(started)))
		g.logVerdict("output", call, out)
		if out.Blocked() {
			return refusal("output", call.Server.Name, out), true
		}
	}
	if st.input.Redaction == nil {
		return res, false
	}
	restored, err := st.input.Redaction.Restore(ctx, raw)
	if err != nil {
		g.log.Error("redacted values could not be restored; the result is withheld", zap.String("server", call.Server.Name), zap.Error(err))
		return errorResult("Withheld: the result of %s could not be restored after redaction", call.Server.Name), true
	}
	var out mcp.CallToolResult
	if err := json.Unmarshal(restored, &out); err != nil {
		return errorResult("Withheld: the result of %s could not be restored after redaction", call.Server.Name), true
	}
	return &out, false
}

// refusal is the result a client sees for a blocked call or withheld result:
// which policy, which detectors, and the engine's masked reason.
func refusal(stage, server string, v guardrails.Verdict) *mcp.CallToolResult {
	var detectors []string
	for _, d := range v.Detections {
		if d.Action != guardrails.ActionAllow {
			detectors = append(detectors, d.Detector)
		}
	}
	what := "Blocked by the input guardrails"
	if stage == "output" {
		what = "Withheld by the output guardrails"
	}
	msg := fmt.Sprintf("%s of %s", what, server)
	if len(detectors) > 0 {
		msg += " (" + strings.Join(detectors, ", ") + ")"
	}
	if v.Reason != "" {
		msg += ": " + v.Reason
	}
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: msg}},
		StructuredContent: map[string]any{"blocked": true, "stage": stage, "server": server, "detectors": detectors}}
}

// logVerdict records what a policy found (never the payload: the reason and
// samples are masked by the engine).
func (g *Guard) logVerdict(stage string, call *Call, v guardrails.Verdict) {
	if len(v.Detections) == 0 && len(v.NotEvaluated) == 0 && v.Err == nil {
		return
	}
	var detectors []string
	for _, d := range v.Detections {
		detectors = append(detectors, d.Detector+":"+string(d.Action))
	}
	g.log.Info("guardrails verdict", zap.String("stage", stage), zap.String("server", call.Server.Name), zap.String("tool", call.Tool),
		zap.String("key_id", call.Principal.KeyID), zap.Bool("allowed", v.Allowed), zap.Bool("would_block", v.WouldBlock),
		zap.String("mode", string(v.Mode)), zap.Strings("detections", detectors), zap.Strings("not_evaluated", v.NotEvaluated),
		zap.Error(v.Err))
}

// auditVerdict sums up a verdict for the call's audit record: detectors,
// actions and counts, never what they matched.
func auditVerdict(stage string, v guardrails.Verdict, took time.Duration) audit.Verdict {
	out := audit.Verdict{Stage: stage, Allowed: v.Allowed, WouldBlock: v.WouldBlock, Provider: v.Provider,
		NotEvaluated: v.NotEvaluated, DurationMs: audit.Millis(took)}
	for _, d := range v.Detections {
		out.Detectors = append(out.Detectors, audit.Detector{Name: d.Detector, Action: string(d.Action), Count: d.Count})
	}
	return out
}

// LocalEngines always gives the local engine (no network).
func LocalEngines() EngineSource {
	engine := guardrails.NewEngine(guardrails.NewLocalProvider())
	return func(context.Context) (*guardrails.Engine, error) { return engine, nil }
}

// EnkryptEngines gives an engine over the Enkrypt-compatible provider at
// baseURL, with the key the settings hold now: key is read at most once per
// refresh (outside any lock, by one caller at a time), so that a key set by
// an admin applies within that time on every instance. Without a key, calls
// under an enabled policy are refused (fail closed); that answer, and a
// failed read, are kept for the refresh time too.
func EnkryptEngines(baseURL string, key func(context.Context) (string, error), refresh time.Duration) EngineSource {
	var (
		mu      sync.Mutex
		current string
		engine  *guardrails.Engine
		lastErr error
		readAt  time.Time
		reads   singleflight.Group
	)
	return func(ctx context.Context) (*guardrails.Engine, error) {
		mu.Lock()
		if !readAt.IsZero() && time.Since(readAt) < refresh {
			e, err := engine, lastErr
			mu.Unlock()
			return e, err
		}
		mu.Unlock()
		v, err, _ := reads.Do("key", func() (any, error) {
			k, err := key(ctx)
			mu.Lock()
			defer mu.Unlock()
			readAt = time.Now()
			switch {
			case err != nil:
				engine, lastErr = nil, err
			case k == "":
				engine, current = nil, ""
				lastErr = errors.New("the Enkrypt guardrails provider has no API key: set it with PUT /api/v1/settings/enkrypt-api-key")
			case k != current || engine == nil:
				p, perr := guardrails.NewEnkryptProvider(guardrails.EnkryptConfig{BaseURL: baseURL, APIKey: k})
				if perr != nil {
					engine, lastErr = nil, perr
				} else {
					engine, current, lastErr = guardrails.NewEngine(p), k, nil
				}
			default:
				lastErr = nil
			}
			return engine, lastErr
		})
		if err != nil {
			return nil, err
		}
		return v.(*guardrails.Engine), nil
	}
}
