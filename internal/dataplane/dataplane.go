// Package dataplane assembles the MCP gateway over the management core: the
// gateway service reading configurations and verifying keys through the
// services, the upstream pool, and the HTTP shell. The server and the
// benchmarks build it the same way, so that what is measured is what runs.
package dataplane

import (
	"context"
	"errors"
	"net/http"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/config"
	"github.com/securemcp/gateway/controllers/mcphttp"
	"github.com/securemcp/gateway/gateway"
	"github.com/securemcp/gateway/gateway/upstream"
	"github.com/securemcp/gateway/internal/actor"
	"github.com/securemcp/gateway/metrics"
	"github.com/securemcp/gateway/middleware"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services/access"
	"github.com/securemcp/gateway/services/catalog"
	"github.com/securemcp/gateway/services/trail"
)

// NewPool runs the upstream servers with the gateway's limits; an empty
// allow-list means the pool's own (PATH, HOME, locale, proxies, …). gm may
// be nil (no metrics).
func NewPool(g config.GatewaySettings, log *zap.Logger, gm *metrics.Gateway) (*upstream.Pool, error) {
	opts := upstream.Options{Logger: log.Named("upstream"), EnvAllowList: g.EnvAllow,
		StartTimeout: g.StartTimeout, CallTimeout: g.CallTimeout, IdleTimeout: g.IdleTimeout,
		MaxProcesses: g.MaxProcesses, MaxCallsPerProcess: g.MaxCallsPerProcess, ClientVersion: config.BuildVersion()}
	if gm != nil {
		opts.Observer = processMetrics{gm}
	}
	return upstream.New(opts)
}

// KeyVerifier verifies a gateway key and tells what it may reach (the access
// part of the management core).
type KeyVerifier interface {
	Verify(ctx context.Context, secret string) (access.Verified, error)
}

// ConfigSource reads a configuration's servers (their env sealed), opens a
// server's env to start it, and records the tools they offer (the catalog
// part of the management core).
type ConfigSource interface {
	CurrentServers(ctx context.Context, ident string) (catalog.ConfigDetail, error)
	OpenEnv(configID, server string, env map[string]string) (map[string]string, error)
	ObserveTools(ctx context.Context, configID, server string, observed []catalog.ObservedTool, autoApproveNew bool) (bool, error)
}

// Core is what the data plane needs of the management core, and nothing
// more: the gateway can run over fakes, or one day in a process of its own.
type Core struct {
	Keys    KeyVerifier
	Configs ConfigSource
	// ProviderKey reads the guardrails provider key the settings hold.
	ProviderKey func(context.Context) (string, error)
	// Calls records tool calls in the audit trail; nil records none (the
	// benchmarks of the gateway alone).
	Calls CallRecorder
	// Refusals records refused keys in the audit trail; nil records none.
	Refusals RefusalRecorder
}

// RefusalRecorder records refused requests (the audit part of the
// management core): bounded, it never waits.
type RefusalRecorder interface {
	RecordRefusal(r trail.Refusal)
}

// CallRecorder stores tool-call records (the audit part of the management
// core); a nil error acknowledges the record.
type CallRecorder interface {
	RecordToolCall(ctx context.Context, r audit.Record) error
}

// NewHandler assembles the data plane: the gateway over the management core
// (keys, configurations) and the pool, behind its HTTP shell. gm may be nil.
func NewHandler(core Core, s config.Settings, pool *upstream.Pool, log *zap.Logger, gm *metrics.Gateway) (http.Handler, error) {
	mode, err := gateway.ParseToolMode(s.Gateway.ToolMode)
	if err != nil {
		return nil, err
	}
	engines := gateway.LocalEngines()
	if s.Gateway.GuardrailsProvider == "enkrypt" {
		engines = gateway.EnkryptEngines(s.Gateway.EnkryptAPIURL, core.ProviderKey, providerKeyRefresh)
	}
	opts := gateway.Options{
		Catalog: configCatalog{core.Configs}, Upstreams: gateway.PoolUpstreams{Pool: pool, Env: core.Configs}, Logger: log.Named("gateway"), Mode: mode,
		Enforcer:         gateway.NewGuard(engines, log.Named("guardrails")),
		Pins:             pinStore{core.Configs},
		DiscoveryTimeout: s.Gateway.StartTimeout, CallTimeout: s.Gateway.CallTimeout, Version: config.BuildVersion(),
	}
	var observers gateway.Observers
	if core.Calls != nil {
		observers = append(observers, callAudit{core.Calls, log.Named("audit")})
	}
	if gm != nil {
		observers = append(observers, callMetrics{gm})
	}
	opts.Observer = observers
	g, err := gateway.New(opts)
	if err != nil {
		return nil, err
	}
	return mcphttp.New(mcphttp.Options{
		Server: g.MCPServer(),
		Tools:  g,
		Auth:   keyAuthenticator{core.Keys},
		// Its own throttle: a flood of bad gateway keys never locks out the
		// admin API, which has another.
		Failures:          middleware.NewAuthLimiter(middleware.DefaultAuthFailures, middleware.DefaultAuthWindow, middleware.DefaultAuthMaxClients, time.Now),
		Logger:            log.Named("mcp"),
		Stateful:          s.Gateway.Stateful,
		SessionTimeout:    s.Gateway.SessionTimeout,
		AllowNonLocalHost: s.Gateway.AllowNonLocalHost,
		MaxBodyBytes:      s.MaxBodyBytes,
		ClientAddr:        mcphttp.ClientAddress(s.TrustedProxies),
		Refusals:          authAudit(core.Refusals),
	}), nil
}

// providerKeyRefresh is how soon a guardrails provider key set by an admin
// applies on every instance.
const providerKeyRefresh = 5 * time.Second

// keyAuthenticator verifies gateway keys with the management core, on every
// request: a key disabled anywhere is refused at its next request.
type keyAuthenticator struct{ keys KeyVerifier }

func (k keyAuthenticator) Authenticate(ctx context.Context, secret string) (gateway.Principal, error) {
	v, err := k.keys.Verify(ctx, secret)
	if why := access.RefusedKey(err); why != nil {
		return gateway.Principal{}, &mcphttp.Refused{Message: mcphttp.ErrRefused.Error() + ": " + why.Reason.Message(), Reason: string(why.Reason),
			KeyID: why.KeyID, UserID: why.UserID, ProjectID: why.ProjectID}
	}
	if err != nil {
		return gateway.Principal{}, err
	}
	return gateway.Principal{KeyID: v.Key.ID, UserID: v.User.ID, Email: v.User.Email, ProjectID: v.Project.ID,
		ProjectName: v.Project.Name, ConfigID: v.Config.ID, ConfigName: v.Config.Name, ConfigVersion: v.Config.UpdatedAt}, nil
}

// authRecorder records the gateway's refused authentications in the audit
// trail: action gateway.authenticate, outcome refused, the key's id (with
// its user and project) when the key exists, the client address, the status
// and the reason.
type authRecorder struct{ rec RefusalRecorder }

// authAudit is nil without a recorder, so that the shell records nothing.
func authAudit(rec RefusalRecorder) mcphttp.RefusalRecorder {
	if rec == nil {
		return nil
	}
	return authRecorder{rec}
}

func (a authRecorder) AuthRefused(_ context.Context, r mcphttp.AuthRefusal) {
	who := actor.Actor{ID: r.KeyID, UserID: r.UserID, ProjectID: r.ProjectID, Addr: r.Addr}
	if r.KeyID != "" {
		who.Kind = actor.GatewayKey
	}
	a.rec.RecordRefusal(trail.Refusal{Actor: who, Action: trail.ActionGatewayAuthenticate, Outcome: audit.OutcomeRefused,
		Status: r.Status, Reason: r.Reason})
}

// configCatalog reads configurations for the gateway.
type configCatalog struct{ configs ConfigSource }

func (c configCatalog) ConfigServers(ctx context.Context, configID string) ([]models.Server, time.Time, error) {
	d, err := c.configs.CurrentServers(ctx, configID)
	return d.Servers, d.UpdatedAt, err
}

// pinStore records tool definitions for approval in the store.
type pinStore struct{ configs ConfigSource }

func (p pinStore) ObserveTools(ctx context.Context, configID, server string, observed []gateway.ObservedTool, autoApproveNew bool) (bool, error) {
	tools := make([]catalog.ObservedTool, len(observed))
	for i, t := range observed {
		tools[i] = catalog.ObservedTool(t)
	}
	return p.configs.ObserveTools(ctx, configID, server, tools, autoApproveNew)
}

// callAudit records every tool call, allowed or refused, in the audit trail
// (batched: see trail.AuditService.RecordToolCall).
type callAudit struct {
	audit CallRecorder
	log   *zap.Logger
}

func (c callAudit) ToolCall(e gateway.CallEvent) {
	// A record the full queue turned away is counted in the trail's next
	// aggregate record, which is logged: no line per call in a flood.
	if err := c.audit.RecordToolCall(context.Background(), ToolCallRecord(e)); err != nil && !errors.Is(err, audit.ErrQueueFull) {
		c.log.Error("a tool call could not be recorded in the audit trail", zap.String("key_id", e.Principal.KeyID),
			zap.String("server", e.Server), zap.String("tool", e.Tool), zap.Error(err))
	}
}

// ToolCallRecord is the audit record of a tool call: who (the gateway key,
// its user and project), which tool, how it ended, the guardrail verdicts and
// the durations; of the arguments only their hash.
func ToolCallRecord(e gateway.CallEvent) audit.Record {
	outcome, reason := audit.OutcomeSuccess, ""
	switch e.Outcome {
	case gateway.OutcomeOK:
	case gateway.OutcomeBlocked, gateway.OutcomeWithheld, gateway.OutcomeUnknownTool:
		outcome, reason = audit.OutcomeRefused, string(e.Outcome)
	default:
		outcome, reason = audit.OutcomeError, string(e.Outcome)
	}
	details, _ := audit.ToolCall{Server: e.Server, Tool: e.Tool, ArgsHash: e.ArgsHash, Verdicts: e.Verdicts, Reason: reason,
		TotalMs: audit.Millis(e.Total), UpstreamMs: audit.Millis(e.Upstream)}.Details() // plain values always encode
	id := e.Tool
	if e.Server != "" {
		id = e.Server + "/" + e.Tool
	}
	// A name a client made up (an unknown tool) may be of any length: the
	// record keeps its start, within the record's bounds.
	id, name := clip(id), clip(e.Tool)
	return audit.Record{
		Actor: audit.Actor{Kind: audit.ActorGatewayKey, ID: e.Principal.KeyID, UserID: e.Principal.UserID, ProjectID: e.Principal.ProjectID,
			Addr: e.Principal.Addr},
		Action:  audit.ActionToolCall,
		Entity:  audit.Entity{Kind: "tool", ID: id, Name: name},
		Outcome: outcome,
		Details: details,
	}
}

// clip bounds a name for a record's field (256 bytes), on a rune boundary.
func clip(s string) string {
	const maxLen = 200
	if len(s) <= maxLen {
		return s
	}
	cut := maxLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// callMetrics feeds tool calls to Prometheus.
type callMetrics struct{ m *metrics.Gateway }

func (c callMetrics) ToolCall(e gateway.CallEvent) {
	c.m.ObserveToolCall(e.Server, string(e.Outcome), e.Total)
}

// processMetrics feeds upstream process events to Prometheus.
type processMetrics struct{ m *metrics.Gateway }

func (p processMetrics) ProcessEvent(e upstream.ProcessEvent) {
	p.m.ObserveProcessEvent(e.Server, string(e.Kind))
}
func (processMetrics) CallDone(upstream.CallEvent) {}

// PolicyChecker lists the configurations and validates one.
type PolicyChecker interface {
	List(ctx context.Context, page repositories.Page) ([]models.ConfigSummary, int, error)
	Validate(ctx context.Context, ident string) (models.ValidationResult, error)
}

// LogPolicyWarnings says at start which guardrails detectors of the stored
// policies will not be evaluated, so that no one takes them for passed.
func LogPolicyWarnings(ctx context.Context, configs PolicyChecker, log *zap.Logger) {
	list, _, err := configs.List(ctx, repositories.Page{})
	if err != nil {
		log.Warn("cannot read the configurations to check their guardrails policies", zap.Error(err))
		return
	}
	for _, c := range list {
		res, err := configs.Validate(ctx, c.ID)
		if err != nil {
			continue // a draft: validate says what is missing when asked
		}
		for _, w := range res.Warnings {
			log.Warn("guardrails policy", zap.String("config", c.Name), zap.String("warning", w))
		}
	}
}
