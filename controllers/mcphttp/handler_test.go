package mcphttp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/securemcp/gateway/controllers/mcphttp"
	"github.com/securemcp/gateway/gateway"
	"github.com/securemcp/gateway/gateway/upstream"
	"github.com/securemcp/gateway/middleware"
	"github.com/securemcp/gateway/models"
)

// upstreamBin is a small MCP server (echo, add, progress, ...) built once.
var upstreamBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "smg-mcphttp-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	upstreamBin = filepath.Join(dir, "upstream")
	build := exec.Command("go", "build", "-o", upstreamBin, "../../gateway/upstream/testdata/upstream")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build the test upstream:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// keys is an Authenticator over fixed secrets.
type keys map[string]gateway.Principal

func (k keys) Authenticate(_ context.Context, secret string) (gateway.Principal, error) {
	if p, ok := k[secret]; ok {
		return p, nil
	}
	return gateway.Principal{}, fmt.Errorf("%w: the API key is unknown", mcphttp.ErrRefused)
}

type catalog []models.Server

func (c catalog) ConfigServers(context.Context, string) ([]models.Server, time.Time, error) {
	return c, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), nil
}

const (
	aliceKey = "smg_alice-key"
	bobKey   = "smg_bob-key"
)

type fixture struct {
	url  string
	pool *upstream.Pool
}

func newFixture(t *testing.T, stateful bool) fixture {
	t.Helper()
	log := zaptest.NewLogger(t)
	pool, err := upstream.New(upstream.Options{Logger: log})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, pool.Close(context.Background())) })
	servers := catalog{models.Server{Name: "tester", Command: upstreamBin, Args: []string{"serve"}}.Normalize()}
	g, err := gateway.New(gateway.Options{Catalog: servers, Upstreams: gateway.PoolUpstreams{Pool: pool}, Logger: log})
	require.NoError(t, err)
	version := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := mcphttp.New(mcphttp.Options{
		Server: g.MCPServer(),
		Tools:  g, // as the server wires it: plain requests skip the SDK
		Auth: keys{
			aliceKey: {KeyID: "k-alice", UserID: "alice", ProjectID: "p", ConfigID: "c", ConfigVersion: version},
			bobKey:   {KeyID: "k-bob", UserID: "bob", ProjectID: "p", ConfigID: "c", ConfigVersion: version},
		},
		Failures: middleware.NewAuthLimiter(5, time.Minute, 100, time.Now),
		Logger:   zap.NewNop(),
		Stateful: stateful,
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return fixture{url: srv.URL, pool: pool}
}

// headerTransport adds headers to every request of an MCP client.
type headerTransport struct {
	headers map[string]string
}

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range h.headers {
		r.Header.Set(k, v)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func connect(t *testing.T, url string, headers map[string]string, opts *mcp.ClientOptions) (*mcp.ClientSession, error) {
	t.Helper()
	client := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "1"}, opts)
	transport := &mcp.StreamableClientTransport{Endpoint: url, HTTPClient: &http.Client{Transport: headerTransport{headers}}}
	session, err := client.Connect(context.Background(), transport, nil)
	if err == nil {
		t.Cleanup(func() { _ = session.Close() })
	}
	return session, err
}

func TestEveryKeyHeaderReachesTheTools(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	for _, h := range []map[string]string{
		{"Authorization": "Bearer " + aliceKey},
		{"apikey": aliceKey},
		{"ENKRYPT_GATEWAY_KEY": aliceKey},
	} {
		for _, path := range []string{"/mcp", "/mcp/"} {
			session, err := connect(t, f.url+path, h, nil)
			require.NoError(t, err, "%v %s", h, path)
			tools, err := session.ListTools(context.Background(), nil)
			require.NoError(t, err)
			var names []string
			for _, tool := range tools.Tools {
				names = append(names, tool.Name)
			}
			assert.Contains(t, names, "tester__echo")
			assert.Contains(t, names, "enkrypt_secure_call_tools")
		}
	}
}

func TestRefusedKeysGet401AndNeverReachTheUpstream(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	body := `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}`
	for name, headers := range map[string]map[string]string{
		"no key":        {},
		"unknown key":   {"Authorization": "Bearer smg_nobody"},
		"wrong scheme":  {"Authorization": "Basic " + aliceKey},
		"empty apikey":  {"apikey": " "},
		"admin-looking": {"Authorization": "Bearer admin-key-0123456789abcdef0123456789"},
	} {
		req, err := http.NewRequest("POST", f.url+"/mcp", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		data, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, res.StatusCode, name)
		assert.Contains(t, res.Header.Get("WWW-Authenticate"), "Bearer", name)
		var doc map[string]any
		require.NoError(t, json.Unmarshal(data, &doc), name)
		assert.NotEmpty(t, doc["error"].(map[string]any)["message"], name)
		assert.NotContains(t, string(data), aliceKey)
	}
}

func TestBadKeysAreThrottledButTheRightKeyPasses(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	for range 10 {
		_, err := connect(t, f.url+"/mcp", map[string]string{"apikey": "smg_wrong"}, nil)
		require.Error(t, err)
	}
	req, err := http.NewRequest("POST", f.url+"/mcp", strings.NewReader(`{}`))
	require.NoError(t, err)
	req.Header.Set("apikey", "smg_wrong")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusTooManyRequests, res.StatusCode)
	assert.NotEmpty(t, res.Header.Get("Retry-After"))
	session, err := connect(t, f.url+"/mcp", map[string]string{"apikey": aliceKey}, nil)
	require.NoError(t, err, "a correct key always passes")
	_, err = session.ListTools(context.Background(), nil)
	require.NoError(t, err)
}

func TestCallsPassThroughWithProgress(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	var mu sync.Mutex
	var progress []float64
	session, err := connect(t, f.url+"/mcp", map[string]string{"Authorization": "Bearer " + aliceKey},
		&mcp.ClientOptions{ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			defer mu.Unlock()
			progress = append(progress, req.Params.Progress)
		}})
	require.NoError(t, err)
	ctx := context.Background()
	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "tester__echo", Arguments: map[string]any{"msg": "hi"}})
	require.NoError(t, err)
	require.Len(t, res.Content, 5, "every content kind passes through")
	assert.IsType(t, &mcp.ImageContent{}, res.Content[1])
	assert.IsType(t, &mcp.AudioContent{}, res.Content[2])
	assert.IsType(t, &mcp.EmbeddedResource{}, res.Content[4])
	assert.Equal(t, map[string]any{"msg": "hi"}, res.StructuredContent)

	params := &mcp.CallToolParams{Name: "tester__progress", Arguments: map[string]any{"steps": 3}}
	params.SetProgressToken("client-token")
	_, err = session.CallTool(ctx, params)
	require.NoError(t, err)
	// The client hands notifications to its handler on its own goroutine.
	assert.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(progress) == 3
	}, 5*time.Second, 10*time.Millisecond, "the upstream's progress reaches the client")
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []float64{1, 2, 3}, progress)
}

func TestAStatefulSessionBelongsToItsKey(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	session, err := connect(t, f.url+"/mcp", map[string]string{"Authorization": "Bearer " + aliceKey}, nil)
	require.NoError(t, err)
	sessionID := session.ID()
	require.NotEmpty(t, sessionID, "stateful mode hands out sessions")

	req, err := http.NewRequest("POST", f.url+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":9,"method":"tools/list","params":{}}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Session-Id", sessionID)
	req.Header.Set("Authorization", "Bearer "+bobKey)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusForbidden, res.StatusCode, "another key cannot use the session")
}

func TestClientAddressBelievesOnlyTrustedProxies(t *testing.T) {
	t.Parallel()
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	req := func(peer string, xff ...string) *http.Request {
		r := httptest.NewRequest("POST", "/mcp", nil)
		r.RemoteAddr = peer + ":4000"
		for _, v := range xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		return r
	}
	addr := mcphttp.ClientAddress(trusted)
	assert.Equal(t, "203.0.113.9", addr(req("10.1.2.3", "203.0.113.9")), "behind the trusted proxy: the client")
	assert.Equal(t, "203.0.113.9", addr(req("10.1.2.3", "198.51.100.1, 203.0.113.9, 10.2.2.2")), "the last hop no trusted proxy added")
	assert.Equal(t, "198.51.100.7", addr(req("198.51.100.7", "203.0.113.9")), "an untrusted peer cannot choose its address")
	assert.Equal(t, "10.1.2.3", addr(req("10.1.2.3", "not-an-address")), "a broken list counts as the proxy")
	assert.Equal(t, "198.51.100.7", mcphttp.ClientAddress(nil)(req("198.51.100.7", "203.0.113.9")), "no trusted proxies: the peer")
}

// observed collects the gateway's call events.
type observed struct {
	mu     sync.Mutex
	events []gateway.CallEvent
}

func (o *observed) ToolCall(e gateway.CallEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, e)
}

// refusals collects the refused authentications.
type refusals struct {
	mu   sync.Mutex
	seen []mcphttp.AuthRefusal
}

func (r *refusals) AuthRefused(_ context.Context, a mcphttp.AuthRefusal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, a)
}

// Tool calls carry the client's address to the audit trail, and every
// refused authentication is reported, with the key's id when the key exists,
// never the secret.
func TestCallsAndRefusalsCarryTheClientAddress(t *testing.T) {
	t.Parallel()
	pool, err := upstream.New(upstream.Options{Logger: zap.NewNop()})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, pool.Close(context.Background())) })
	obs := &observed{}
	servers := catalog{models.Server{Name: "tester", Command: upstreamBin, Args: []string{"serve"}}.Normalize()}
	g, err := gateway.New(gateway.Options{Catalog: servers, Upstreams: gateway.PoolUpstreams{Pool: pool}, Logger: zap.NewNop(), Observer: obs})
	require.NoError(t, err)
	refused := &refusals{}
	h := mcphttp.New(mcphttp.Options{
		Server: g.MCPServer(), Tools: g,
		Auth: authFunc(func(secret string) (gateway.Principal, error) {
			switch secret {
			case aliceKey:
				return gateway.Principal{KeyID: "k-alice", UserID: "alice", ProjectID: "p", ConfigID: "c"}, nil
			case "smg_disabled":
				return gateway.Principal{}, &mcphttp.Refused{Message: "the API key is disabled", Reason: "disabled", KeyID: "k-off", UserID: "bob", ProjectID: "p"}
			}
			return gateway.Principal{}, fmt.Errorf("%w: the API key is unknown", mcphttp.ErrRefused)
		}),
		Failures: middleware.NewAuthLimiter(2, time.Minute, 100, time.Now),
		Logger:   zap.NewNop(),
		Refusals: refused,
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	session, err := connect(t, srv.URL+"/mcp", map[string]string{"Authorization": "Bearer " + aliceKey}, nil)
	require.NoError(t, err)
	_, err = session.CallTool(context.Background(), &mcp.CallToolParams{Name: "tester__echo", Arguments: map[string]any{"msg": "hi"}})
	require.NoError(t, err)
	obs.mu.Lock()
	require.NotEmpty(t, obs.events)
	assert.Equal(t, "127.0.0.1", obs.events[0].Principal.Addr, "the call's record gets the client address")
	obs.mu.Unlock()

	for _, key := range []string{"", "smg_disabled", "smg_nobody", "smg_nobody"} {
		req, err := http.NewRequest("POST", srv.URL+"/mcp", strings.NewReader(`{}`))
		require.NoError(t, err)
		if key != "" {
			req.Header.Set("apikey", key)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
	}
	refused.mu.Lock()
	defer refused.mu.Unlock()
	assert.Equal(t, []mcphttp.AuthRefusal{
		{Addr: "127.0.0.1", Status: http.StatusUnauthorized, Reason: "missing_key"},
		{KeyID: "k-off", UserID: "bob", ProjectID: "p", Addr: "127.0.0.1", Status: http.StatusUnauthorized, Reason: "disabled"},
		{Addr: "127.0.0.1", Status: http.StatusUnauthorized, Reason: "refused"},
		{Addr: "127.0.0.1", Status: http.StatusTooManyRequests, Reason: "too_many_requests"},
	}, refused.seen)
}

// authFunc is an Authenticator of a function.
type authFunc func(secret string) (gateway.Principal, error)

func (f authFunc) Authenticate(_ context.Context, secret string) (gateway.Principal, error) {
	return f(secret)
}
