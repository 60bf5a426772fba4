// Package dataplane assembles the MCP gateway over the management core: the
// gateway service reading configurations and verifying keys through the
// services, the upstream pool, and the HTTP shell. The server and the
// benchmarks build it the same way, so that what is measured is what runs.
package dataplane

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/securemcp/gateway/config"
	"github.com/securemcp/gateway/controllers/mcphttp"
	"github.com/securemcp/gateway/gateway"
	"github.com/securemcp/gateway/gateway/upstream"
	"github.com/securemcp/gateway/metrics"
	"github.com/securemcp/gateway/middleware"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services"
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

// NewHandler assembles the data plane: the gateway over the management core
// (keys, configurations) and the pool, behind its HTTP shell. gm may be nil.
func NewHandler(svc *services.Services, s config.Settings, pool *upstream.Pool, log *zap.Logger, gm *metrics.Gateway) (http.Handler, error) {
	mode, err := gateway.ParseToolMode(s.Gateway.ToolMode)
	if err != nil {
		return nil, err
	}
	engines := gateway.LocalEngines()
	if s.Gateway.GuardrailsProvider == "enkrypt" {
		engines = gateway.EnkryptEngines(s.Gateway.EnkryptAPIURL, svc.Settings.ProviderKey, providerKeyRefresh)
	}
	opts := gateway.Options{
		Catalog: catalog{svc.Configs}, Upstreams: gateway.PoolUpstreams{Pool: pool, Env: svc.Configs}, Logger: log.Named("gateway"), Mode: mode,
		Enforcer:         gateway.NewGuard(engines, log.Named("guardrails")),
		Pins:             pinStore{svc.Configs},
		DiscoveryTimeout: s.Gateway.StartTimeout, CallTimeout: s.Gateway.CallTimeout, Version: config.BuildVersion(),
	}
	if gm != nil {
		opts.Observer = callMetrics{gm}
	}
	g, err := gateway.New(opts)
	if err != nil {
		return nil, err
	}
	return mcphttp.New(mcphttp.Options{
		Server: g.MCPServer(),
		Tools:  g,
		Auth:   keyAuthenticator{svc.APIKeys},
		// Its own throttle: a flood of bad gateway keys never locks out the
		// admin API, which has another.
		Failures:          middleware.NewAuthLimiter(middleware.DefaultAuthFailures, middleware.DefaultAuthWindow, middleware.DefaultAuthMaxClients, time.Now),
		Logger:            log.Named("mcp"),
		Stateful:          s.Gateway.Stateful,
		SessionTimeout:    s.Gateway.SessionTimeout,
		AllowNonLocalHost: s.Gateway.AllowNonLocalHost,
		MaxBodyBytes:      s.MaxBodyBytes,
		ClientAddr:        mcphttp.ClientAddress(s.TrustedProxies),
	}), nil
}

// providerKeyRefresh is how soon a guardrails provider key set by an admin
// applies on every instance.
const providerKeyRefresh = 5 * time.Second

// keyAuthenticator verifies gateway keys with the management core, on every
// request: a key disabled anywhere is refused at its next request.
type keyAuthenticator struct{ keys *services.APIKeyService }

func (k keyAuthenticator) Authenticate(ctx context.Context, secret string) (gateway.Principal, error) {
	v, err := k.keys.Verify(ctx, secret)
	if reason := services.RefusalReason(err); reason != "" {
		return gateway.Principal{}, fmt.Errorf("%w: %s", mcphttp.ErrRefused, reason.Message())
	}
	if err != nil {
		return gateway.Principal{}, err
	}
	return gateway.Principal{KeyID: v.Key.ID, UserID: v.User.ID, Email: v.User.Email, ProjectID: v.Project.ID,
		ProjectName: v.Project.Name, ConfigID: v.Config.ID, ConfigName: v.Config.Name, ConfigVersion: v.Config.UpdatedAt}, nil
}

// catalog reads configurations for the gateway.
type catalog struct{ configs *services.ConfigService }

func (c catalog) ConfigServers(ctx context.Context, configID string) ([]models.Server, time.Time, error) {
	d, err := c.configs.CurrentServers(ctx, configID)
	return d.Servers, d.UpdatedAt, err
}

// pinStore records tool definitions for approval in the store.
type pinStore struct{ configs *services.ConfigService }

func (p pinStore) ObserveTools(ctx context.Context, configID, server string, observed []gateway.ObservedTool, autoApproveNew bool) (bool, error) {
	tools := make([]services.ObservedTool, len(observed))
	for i, t := range observed {
		tools[i] = services.ObservedTool(t)
	}
	return p.configs.ObserveTools(ctx, configID, server, tools, autoApproveNew)
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

// LogPolicyWarnings says at start which guardrails detectors of the stored
// policies will not be evaluated, so that no one takes them for passed.
func LogPolicyWarnings(ctx context.Context, configs *services.ConfigService, log *zap.Logger) {
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
