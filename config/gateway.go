package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/viper"
)

// Setting keys of the MCP gateway (the data plane) and of the upstream
// servers it runs.
const (
	KeyMCPPort              = "mcp_port"
	KeyMCPStateful          = "mcp_stateful"
	KeyMCPToolMode          = "mcp_tool_mode"
	KeyMCPAllowNonLocalHost = "mcp_allow_non_local_host"
	KeyMCPSessionTimeout    = "mcp_session_timeout"
	KeyUpstreamEnvAllow     = "upstream_env_allow"
	KeyUpstreamMaxProcesses = "upstream_max_processes"
	KeyUpstreamMaxCalls     = "upstream_max_calls_per_process"
	KeyUpstreamStartTimeout = "upstream_start_timeout"
	KeyUpstreamCallTimeout  = "upstream_call_timeout"
	KeyUpstreamIdleTimeout  = "upstream_idle_timeout"
	KeyGuardrailsProvider   = "guardrails_provider"
	KeyEnkryptAPIURL        = "enkrypt_api_url"
)

// gatewayEnvNames are the environment variables of the gateway's settings.
var gatewayEnvNames = map[string]string{
	KeyMCPPort:              "SMG_MCP_PORT",
	KeyMCPStateful:          "SMG_MCP_STATEFUL",
	KeyMCPToolMode:          "SMG_MCP_TOOL_MODE",
	KeyMCPAllowNonLocalHost: "SMG_MCP_ALLOW_NON_LOCAL_HOST",
	KeyMCPSessionTimeout:    "SMG_MCP_SESSION_TIMEOUT",
	KeyUpstreamEnvAllow:     "SMG_UPSTREAM_ENV_ALLOW",
	KeyUpstreamMaxProcesses: "SMG_UPSTREAM_MAX_PROCESSES",
	KeyUpstreamMaxCalls:     "SMG_UPSTREAM_MAX_CALLS_PER_PROCESS",
	KeyUpstreamStartTimeout: "SMG_UPSTREAM_START_TIMEOUT",
	KeyUpstreamCallTimeout:  "SMG_UPSTREAM_CALL_TIMEOUT",
	KeyUpstreamIdleTimeout:  "SMG_UPSTREAM_IDLE_TIMEOUT",
	KeyGuardrailsProvider:   "SMG_GUARDRAILS_PROVIDER",
	KeyEnkryptAPIURL:        "SMG_ENKRYPT_API_URL",
}

// Gateway defaults. The timeouts are the original system's (tool discovery
// 20 s, tool call 60 s); an idle upstream is stopped after 10 minutes.
const (
	DefaultMCPPort              = 8000
	DefaultMCPToolMode          = "both"
	DefaultMCPSessionTimeout    = 30 * time.Minute
	DefaultUpstreamMaxProcesses = 64
	DefaultUpstreamMaxCalls     = 16
	DefaultUpstreamStartTimeout = 20 * time.Second
	DefaultUpstreamCallTimeout  = 60 * time.Second
	DefaultUpstreamIdleTimeout  = 10 * time.Minute
	DefaultGuardrailsProvider   = "local"
	DefaultEnkryptAPIURL        = "https://api.enkryptai.com"
)

// GatewaySettings are the MCP gateway's settings.
type GatewaySettings struct {
	// Port is where MCP clients connect (streamable HTTP at /mcp and /mcp/),
	// on the same host as the management API.
	Port int
	// Stateful keeps MCP sessions for clients that need them; by default
	// every request stands alone and any instance can answer it.
	Stateful bool
	// ToolMode is flat, original or both: the <server>__<tool> tools, the
	// original system's enkrypt_* tools, or both.
	ToolMode string
	// AllowNonLocalHost turns off the DNS-rebinding protection that refuses
	// a loopback connection whose Host is not a loopback name (needed behind
	// a reverse proxy on the same machine).
	AllowNonLocalHost bool
	// SessionTimeout closes an idle stateful session.
	SessionTimeout time.Duration
	// EnvAllow names the variables of the gateway's environment an upstream
	// inherits, besides its own env; empty means the built-in list (PATH,
	// HOME, locale, time zone, TMPDIR, proxies). SMG_* names are refused.
	EnvAllow []string
	// MaxProcesses and MaxCallsPerProcess bound the upstream processes and
	// the calls one of them serves at once.
	MaxProcesses, MaxCallsPerProcess int
	// StartTimeout, CallTimeout and IdleTimeout bound an upstream's start
	// (with its MCP handshake), one tool call, and its idle life.
	StartTimeout, CallTimeout, IdleTimeout time.Duration
	// GuardrailsProvider evaluates the servers' guardrails policies: local
	// (built in, no network) or enkrypt (the original's cloud API at
	// EnkryptAPIURL, with the enkrypt_api_key setting).
	GuardrailsProvider string
	EnkryptAPIURL      string
}

// MCPAddr is the gateway's listen address.
func (s Settings) MCPAddr() string { return fmt.Sprintf("%s:%d", s.Host, s.Gateway.Port) }

func setGatewayDefaults(v *viper.Viper) {
	v.SetDefault(KeyMCPPort, DefaultMCPPort)
	v.SetDefault(KeyMCPToolMode, DefaultMCPToolMode)
	v.SetDefault(KeyMCPSessionTimeout, DefaultMCPSessionTimeout.String())
	v.SetDefault(KeyUpstreamMaxProcesses, DefaultUpstreamMaxProcesses)
	v.SetDefault(KeyUpstreamMaxCalls, DefaultUpstreamMaxCalls)
	v.SetDefault(KeyUpstreamStartTimeout, DefaultUpstreamStartTimeout.String())
	v.SetDefault(KeyUpstreamCallTimeout, DefaultUpstreamCallTimeout.String())
	v.SetDefault(KeyUpstreamIdleTimeout, DefaultUpstreamIdleTimeout.String())
	v.SetDefault(KeyGuardrailsProvider, DefaultGuardrailsProvider)
	v.SetDefault(KeyEnkryptAPIURL, DefaultEnkryptAPIURL)
}

// gatewaySettings reads and checks the gateway's settings.
func gatewaySettings(v *viper.Viper) (GatewaySettings, error) {
	g := GatewaySettings{
		Port: v.GetInt(KeyMCPPort), Stateful: v.GetBool(KeyMCPStateful), ToolMode: strings.TrimSpace(v.GetString(KeyMCPToolMode)),
		AllowNonLocalHost: v.GetBool(KeyMCPAllowNonLocalHost),
		MaxProcesses:      v.GetInt(KeyUpstreamMaxProcesses), MaxCallsPerProcess: v.GetInt(KeyUpstreamMaxCalls),
		GuardrailsProvider: strings.ToLower(strings.TrimSpace(v.GetString(KeyGuardrailsProvider))),
		EnkryptAPIURL:      strings.TrimSpace(v.GetString(KeyEnkryptAPIURL)),
	}
	for _, key := range []string{KeyMCPPort, KeyUpstreamMaxProcesses, KeyUpstreamMaxCalls} {
		if raw := strings.TrimSpace(fmt.Sprint(v.Get(key))); !wholeNumber(raw) {
			return g, fmt.Errorf("%s must be a whole number, not %q", key, raw)
		}
	}
	for key, dst := range map[string]*time.Duration{KeyMCPSessionTimeout: &g.SessionTimeout, KeyUpstreamStartTimeout: &g.StartTimeout,
		KeyUpstreamCallTimeout: &g.CallTimeout, KeyUpstreamIdleTimeout: &g.IdleTimeout} {
		raw := strings.TrimSpace(fmt.Sprint(v.Get(key)))
		d, err := time.ParseDuration(raw)
		if err != nil || d <= 0 {
			return g, fmt.Errorf("%s must be a positive duration such as 30s or 10m, not %q", key, raw)
		}
		*dst = d
	}
	for _, name := range strings.Split(strings.Join(v.GetStringSlice(KeyUpstreamEnvAllow), ","), ",") {
		if name = strings.TrimSpace(name); name != "" {
			if strings.HasPrefix(strings.ToUpper(name), "SMG_") {
				return g, fmt.Errorf("%s: %q is one of the gateway's own settings, which no upstream may see", KeyUpstreamEnvAllow, name)
			}
			g.EnvAllow = append(g.EnvAllow, name)
		}
	}
	switch {
	case g.Port <= 0 || g.Port > 65535:
		return g, fmt.Errorf("%s must be between 1 and 65535, not %d", KeyMCPPort, g.Port)
	case g.ToolMode != "flat" && g.ToolMode != "original" && g.ToolMode != "both":
		return g, fmt.Errorf("%s must be flat, original or both, not %q", KeyMCPToolMode, g.ToolMode)
	case g.GuardrailsProvider != "local" && g.GuardrailsProvider != "enkrypt":
		return g, fmt.Errorf("%s must be local or enkrypt, not %q", KeyGuardrailsProvider, g.GuardrailsProvider)
	case g.MaxProcesses <= 0:
		return g, fmt.Errorf("%s must be positive, not %d", KeyUpstreamMaxProcesses, g.MaxProcesses)
	case g.MaxCallsPerProcess <= 0:
		return g, fmt.Errorf("%s must be positive, not %d", KeyUpstreamMaxCalls, g.MaxCallsPerProcess)
	}
	return g, nil
}
