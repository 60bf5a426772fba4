// Package mcphttp is the gateway's HTTP shell: it authenticates every request
// with a gateway API key and hands it to the MCP SDK's streamable HTTP
// handler at /mcp and /mcp/ (the original system's path, with its trailing
// slash). Nothing reaches the MCP layer, and no upstream is touched, before
// the key verifies.
package mcphttp

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/gateway"
	"github.com/securemcp/gateway/services/errs"
)

// Authenticator verifies a gateway key secret. Refusals are errors whose text
// is safe to show the client (it never contains the key).
type Authenticator interface {
	Authenticate(ctx context.Context, secret string) (gateway.Principal, error)
}

// ErrRefused marks a refused key; any other error is an internal failure.
var ErrRefused = errors.New("API key refused")

// Refused is a refusal an Authenticator may return to say more than
// ErrRefused: why, in a short code, and which key it was when the key exists
// (disabled, expired, …). Its text is Message, safe to show the client.
type Refused struct {
	Message string
	// Reason is a short code: unknown, disabled, expired, malformed, …
	Reason string
	// KeyID, UserID and ProjectID name the key when it exists; empty for a
	// key no one issued.
	KeyID, UserID, ProjectID string
}

func (e *Refused) Error() string { return e.Message }

// Is makes a Refused an ErrRefused.
func (e *Refused) Is(target error) bool { return target == ErrRefused }

// AuthRefusal is a request refused before the MCP layer, as the audit
// trail records it: never the key presented, only the key's id when it
// exists.
type AuthRefusal struct {
	KeyID, UserID, ProjectID string
	// Addr is the client address (trusted proxies resolved).
	Addr string
	// Status is the HTTP status answered (401, or 429 once the address failed
	// too often); Reason a short code (missing_key, unknown, disabled, …,
	// too_many_requests).
	Status int
	Reason string
}

// RefusalRecorder records refused requests; it must not wait (a flood of
// bad keys goes through it).
type RefusalRecorder interface {
	AuthRefused(ctx context.Context, r AuthRefusal)
}

// FailureLimiter throttles failed authentications per client address. The
// gateway has its own, so that a flood of bad gateway keys never locks out
// the admin API.
type FailureLimiter interface {
	Blocked(addr string) (time.Duration, bool)
	Fail(addr string)
}

// Options configure the handler.
type Options struct {
	Server *mcp.Server
	// Tools, when set, answers plain tools/list and tools/call requests of
	// stateless clients without the SDK's per-request session (see
	// direct.go); everything else goes to Server.
	Tools    Tools
	Auth     Authenticator
	Failures FailureLimiter
	Logger   *zap.Logger
	// Stateful keeps MCP sessions (Mcp-Session-Id) for clients that need
	// them; by default every request stands alone, so that any instance
	// behind a plain load balancer can answer any request.
	Stateful bool
	// SessionTimeout closes idle stateful sessions.
	SessionTimeout time.Duration
	// AllowNonLocalHost turns off the SDK's DNS-rebinding protection, which
	// answers 403 to a loopback connection whose Host is not a loopback name:
	// needed behind a reverse proxy on the same machine.
	AllowNonLocalHost bool
	// MaxBodyBytes bounds a request body.
	MaxBodyBytes int64
	// ClientAddr is the client's address for throttling and the audit trail
	// (trusted proxies resolved); nil uses the connection's address.
	ClientAddr func(*http.Request) string
	// Refusals, when set, records every refused authentication.
	Refusals RefusalRecorder
}

// keyHeaders are where clients send their key: the standard bearer token,
// and the headers the original system read.
var keyHeaders = []string{"apikey", "ENKRYPT_GATEWAY_KEY"}

// New builds the gateway's HTTP handler.
func New(opts Options) http.Handler {
	if opts.ClientAddr == nil {
		opts.ClientAddr = remoteHost
	}
	sdk := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return opts.Server },
		&mcp.StreamableHTTPOptions{
			Stateless:                  !opts.Stateful,
			SessionTimeout:             opts.SessionTimeout,
			DisableLocalhostProtection: opts.AllowNonLocalHost,
			MaxRequestBodyBytes:        opts.MaxBodyBytes,
		})
	// The SDK carries auth.TokenInfo from the request's context into every MCP
	// request and binds stateful sessions to its UserID; RequireBearerToken is
	// its way to put it there. The principal was verified just before.
	attach := auth.RequireBearerToken(func(_ context.Context, _ string, r *http.Request) (*auth.TokenInfo, error) {
		p, ok := r.Context().Value(principalKey{}).(gateway.Principal)
		if !ok {
			return nil, auth.ErrInvalidToken
		}
		if client := clientContext(r); client != nil {
			return gateway.CallTokenInfo(p, client), nil
		}
		return gateway.TokenInfo(p), nil
	}, &auth.RequireBearerTokenOptions{AllowMissingExpiration: true})(sdk)

	mux := http.NewServeMux()
	h := &handler{opts: opts, next: attach}
	mux.Handle("/mcp", h)
	mux.Handle("/mcp/", h)
	mux.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "healthy"})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": errs.KindNotFound.String(), "detail": "the MCP endpoint is /mcp"})
	})
	return mux
}

type principalKey struct{}

type handler struct {
	opts  Options
	next  http.Handler
	calls calls     // stateless mode's tool calls in flight
	meta  metaCheck // the direct path's checks of _meta
}

// ServeHTTP authenticates the request, then passes it on with the key
// replaced by its id: the secret goes no further than this function.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/mcp" && r.URL.Path != "/mcp/" {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": errs.KindNotFound.String(), "detail": "the MCP endpoint is /mcp"})
		return
	}
	addr := h.opts.ClientAddr(r)
	secret := keyFrom(r.Header)
	if secret == "" {
		h.refuse(w, r, AuthRefusal{Addr: addr, Reason: "missing_key"}, "missing API key: send Authorization: Bearer <key> (or the apikey header)", false)
		return
	}
	p, err := h.opts.Auth.Authenticate(r.Context(), secret)
	if err != nil {
		if !errors.Is(err, ErrRefused) {
			h.opts.Logger.Error("gateway key verification failed", zap.Error(err))
			writeRPCError(w, http.StatusServiceUnavailable, "the gateway cannot verify keys right now; try again")
			return
		}
		refusal := AuthRefusal{Addr: addr, Reason: "refused"}
		var why *Refused
		if errors.As(err, &why) {
			refusal.KeyID, refusal.UserID, refusal.ProjectID, refusal.Reason = why.KeyID, why.UserID, why.ProjectID, why.Reason
		}
		h.refuse(w, r, refusal, err.Error(), true)
		return
	}
	p.Addr = addr
	r = r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
	if !h.opts.Stateful {
		var done func()
		r, done = h.calls.track(r, p.KeyID, h.opts.MaxBodyBytes)
		defer done()
	}
	if h.direct(w, r, p) {
		return
	}
	// A shallow copy with headers of its own: the key is replaced there, and
	// the caller's request is left as it came.
	r.Header = r.Header.Clone()
	for _, name := range keyHeaders {
		r.Header.Del(name)
	}
	r.Header.Set("Authorization", "Bearer "+p.KeyID)
	h.next.ServeHTTP(w, r)
}

// refuse answers 401, or 429 once the address has failed too often, and
// records the refusal. Only failures count: a correct key is never
// throttled.
func (h *handler) refuse(w http.ResponseWriter, r *http.Request, refusal AuthRefusal, detail string, count bool) {
	addr := refusal.Addr
	if wait, blocked := h.opts.Failures.Blocked(addr); blocked {
		refusal.Status, refusal.Reason = http.StatusTooManyRequests, errs.KindTooManyRequests.String()
		h.record(r, refusal)
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		writeRPCError(w, http.StatusTooManyRequests, "too many failed authentications from this address; try again later")
		return
	}
	if count {
		h.opts.Failures.Fail(addr)
	}
	refusal.Status = http.StatusUnauthorized
	h.record(r, refusal)
	w.Header().Set("WWW-Authenticate", `Bearer realm="secure-mcp-gateway"`)
	writeRPCError(w, http.StatusUnauthorized, detail)
}

func (h *handler) record(r *http.Request, refusal AuthRefusal) {
	if h.opts.Refusals != nil {
		h.opts.Refusals.AuthRefused(r.Context(), refusal)
	}
}

// keyFrom reads the key from the bearer token or the original's headers.
func keyFrom(h http.Header) string {
	if scheme, token, ok := strings.Cut(h.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		if t := strings.TrimSpace(token); t != "" {
			return t
		}
	}
	for _, name := range keyHeaders {
		if v := strings.TrimSpace(h.Get(name)); v != "" {
			return v
		}
	}
	return ""
}

// writeRPCError answers with a JSON-RPC error body, which MCP clients read
// from a non-2xx answer and show to their user.
func writeRPCError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]any{"jsonrpc": "2.0", "id": nil,
		"error": map[string]any{"code": -32001, "message": message}})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ClientAddress is the client's address for throttling: the TCP peer, or,
// when the peer is one of the trusted reverse proxies, the last address of
// X-Forwarded-For that is not one of them (the first a trusted proxy saw).
// Without trusted proxies nobody can choose their address with a header.
func ClientAddress(trusted []netip.Prefix) func(*http.Request) string {
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
		return false
	}
	return func(r *http.Request) string {
		peer := remoteHost(r)
		addr, err := netip.ParseAddr(peer)
		if err != nil || len(trusted) == 0 || !isTrusted(addr) {
			return peer
		}
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				return peer // a forged or broken list: the proxy's own address
			}
			if !isTrusted(hop) {
				return hop.Unmap().String()
			}
		}
		return peer
	}
}
