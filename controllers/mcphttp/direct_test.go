package mcphttp_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
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

// sdkMethods records the methods the SDK's server handles.
type sdkMethods struct {
	mu   sync.Mutex
	seen []string
}

func (s *sdkMethods) middleware(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		s.mu.Lock()
		s.seen = append(s.seen, method)
		s.mu.Unlock()
		return next(ctx, method, req)
	}
}

func (s *sdkMethods) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.seen
	s.seen = nil
	return out
}

// twoHandlers serves one gateway twice: through the SDK alone, and with the
// direct path in front of it.
type twoHandlers struct {
	sdk, direct string
	sdkSaw      *sdkMethods // methods the SDK handled behind the direct path
	calls       chan gateway.CallEvent
}

// callEvents hands the gateway's call events to a channel.
type callEvents chan gateway.CallEvent

func (c callEvents) ToolCall(e gateway.CallEvent) {
	select {
	case c <- e:
	default:
	}
}

func newTwoHandlers(t *testing.T, mode gateway.ToolMode) twoHandlers {
	t.Helper()
	log := zaptest.NewLogger(t)
	pool, err := upstream.New(upstream.Options{Logger: log})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, pool.Close(context.Background())) })
	servers := catalog{models.Server{Name: "tester", Command: upstreamBin, Args: []string{"serve"}}.Normalize()}
	events := make(chan gateway.CallEvent, 100)
	g, err := gateway.New(gateway.Options{Catalog: servers, Upstreams: gateway.PoolUpstreams{Pool: pool}, Logger: log, Mode: mode,
		Observer: callEvents(events)})
	require.NoError(t, err)
	version := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	opts := mcphttp.Options{
		Auth:         keys{aliceKey: {KeyID: "k-alice", UserID: "alice", ProjectID: "p", ConfigID: "c", ConfigVersion: version}},
		Failures:     middleware.NewAuthLimiter(5, time.Minute, 100, time.Now),
		Logger:       zap.NewNop(),
		MaxBodyBytes: 4096,
	}
	th := twoHandlers{sdkSaw: &sdkMethods{}, calls: events}
	plain := opts
	plain.Server = g.MCPServer()
	sdk := httptest.NewServer(mcphttp.New(plain))
	t.Cleanup(sdk.Close)
	direct := opts
	direct.Server = g.MCPServer()
	direct.Server.AddReceivingMiddleware(th.sdkSaw.middleware)
	direct.Tools = g
	fast := httptest.NewServer(mcphttp.New(direct))
	t.Cleanup(fast.Close)
	th.sdk, th.direct = sdk.URL+"/mcp/", fast.URL+"/mcp/"
	return th
}

// exchange is one HTTP request and what came back.
type exchange struct {
	status int
	header http.Header
	body   string
}

func post(t *testing.T, url, body string, header map[string]string) exchange {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+aliceKey)
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	if host, ok := header["Host"]; ok {
		req.Host = host
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	res.Header.Del("Date")
	return exchange{status: res.StatusCode, header: res.Header, body: string(raw)}
}

const v0618 = "2025-06-18"

// The _meta of the sessionless protocol (2026-07-28), as the Go SDK's
// client sends it.
const (
	meta         = `{"io.modelcontextprotocol/clientCapabilities":{"roots":{"listChanged":true}},"io.modelcontextprotocol/protocolVersion":"2026-07-28"}`
	metaWithInfo = `{"io.modelcontextprotocol/clientCapabilities":{"roots":{"listChanged":true}},"io.modelcontextprotocol/clientInfo":{"name":"c","version":"1"},"io.modelcontextprotocol/protocolVersion":"2026-07-28"}`
)

func sessionless(id, method, params string) string {
	return `{"jsonrpc":"2.0","id":` + id + `,"method":"` + method + `","params":` + params + `}`
}

func sessionlessHeaders(method, name string) map[string]string {
	h := map[string]string{"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": method}
	if name != "" {
		h["Mcp-Name"] = name
	}
	return h
}

// TestDirectAnswersAreTheSDKs: every request gets the same status, headers
// and bytes with the direct path as from the SDK alone; plain tools/list
// and tools/call never reach the SDK, everything else does.
func TestDirectAnswersAreTheSDKs(t *testing.T) {
	t.Parallel()
	call := func(id, params string) string {
		return `{"jsonrpc":"2.0","id":` + id + `,"method":"tools/call","params":` + params + `}`
	}
	list := `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`
	version := map[string]string{"Mcp-Protocol-Version": v0618}
	th := newTwoHandlers(t, gateway.ToolsBoth)
	for _, tc := range []struct {
		name   string
		body   string
		header map[string]string
		direct bool // answered without the SDK
	}{
		{"list", list, version, true},
		{"list, empty params", `{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}`, version, true},
		{"list, no version header", list, map[string]string{}, true},
		{"list, 2024-11-05", list, map[string]string{"Mcp-Protocol-Version": "2024-11-05"}, true},
		{"list, 2025-03-26", list, map[string]string{"Mcp-Protocol-Version": "2025-03-26"}, true},
		{"list, 2025-11-25", list, map[string]string{"Mcp-Protocol-Version": "2025-11-25"}, true},
		{"list, string id", `{"jsonrpc":"2.0","id":"a<b>&\"c\"é","method":"tools/list"}`, version, true},
		{"list, big id", `{"jsonrpc":"2.0","id":-999999999999999,"method":"tools/list"}`, version, true},
		{"add", call("7", `{"name":"tester__add","arguments":{"a":2, "b":40}}`), version, true},
		{"echo, every content kind", call("8", `{"name":"tester__echo","arguments":{"x":"<&>","n":12345678901234567890}}`), version, true},
		{"a tool's own error", call("9", `{"name":"tester__echo","arguments":{"fail":true}}`), version, true},
		{"no arguments", call("10", `{"name":"tester__listings"}`), version, true},
		{"unknown tool", call("11", `{"name":"tester__nope","arguments":{}}`), version, true},
		{"original's tool", call("12", `{"name":"enkrypt_list_all_servers","arguments":{"discover_tools":false}}`), version, true},

		{"progress token", call("20", `{"name":"tester__add","arguments":{},"_meta":{"progressToken":"p"}}`), version, false},
		{"cursor", `{"jsonrpc":"2.0","id":21,"method":"tools/list","params":{"cursor":"x"}}`, version, false},
		{"list, null params", `{"jsonrpc":"2.0","id":22,"method":"tools/list","params":null}`, version, false},
		{"arguments not an object", call("23", `{"name":"tester__add","arguments":[1]}`), version, false},
		{"null arguments", call("24", `{"name":"tester__add","arguments":null}`), version, false},
		{"fractional id", `{"jsonrpc":"2.0","id":1.5,"method":"tools/list"}`, version, false},
		{"huge id", `{"jsonrpc":"2.0","id":12345678901234567890,"method":"tools/list"}`, version, false},
		{"negative zero id", `{"jsonrpc":"2.0","id":-0,"method":"tools/list"}`, version, false},
		{"null id", `{"jsonrpc":"2.0","id":null,"method":"tools/list"}`, version, false},
		{"notification", `{"jsonrpc":"2.0","method":"notifications/initialized"}`, version, false},
		{"unknown member", `{"jsonrpc":"2.0","id":25,"method":"tools/list","extra":1}`, version, false},
		{"other version", `{"jsonrpc":"1.0","id":26,"method":"tools/list"}`, version, false},
		{"batch", `[` + list + `]`, map[string]string{"Mcp-Protocol-Version": "2025-03-26"}, false},
		{"ping", `{"jsonrpc":"2.0","id":27,"method":"ping"}`, version, false},
		{"initialize", `{"jsonrpc":"2.0","id":28,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}`, version, false},
		{"unknown version", list, map[string]string{"Mcp-Protocol-Version": "1999-01-01"}, false},
		{"2026 version", list, map[string]string{"Mcp-Protocol-Version": "2026-07-28"}, false},
		{"json only", list, map[string]string{"Mcp-Protocol-Version": v0618, "Accept": "application/json"}, false},
		{"wildcard accept", list, map[string]string{"Mcp-Protocol-Version": v0618, "Accept": "*/*"}, false},
		{"text body", list, map[string]string{"Mcp-Protocol-Version": v0618, "Content-Type": "text/plain"}, false},
		{"resumption", list, map[string]string{"Mcp-Protocol-Version": v0618, "Last-Event-ID": "1"}, false},
		{"a non-local Host", list, map[string]string{"Mcp-Protocol-Version": v0618, "Host": "evil.example.com"}, false},
		{"over the body limit", call("29", `{"name":"tester__echo","arguments":{"pad":"`+strings.Repeat("x", 5000)+`"}}`), version, false},
		{"not JSON", `{"jsonrpc":"2.0","id":30,`, version, false},
		{"case of a member", `{"jsonrpc":"2.0","id":31,"Method":"tools/list"}`, version, false},
		{"legacy with a sessionless _meta", call("32", `{"name":"tester__add","arguments":{},"_meta":`+meta+`}`), version, false},

		{"sessionless list", sessionless("40", "tools/list", `{"_meta":`+meta+`}`), sessionlessHeaders("tools/list", ""), true},
		{"sessionless list, client info", sessionless("41", "tools/list", `{"_meta":`+metaWithInfo+`}`), sessionlessHeaders("tools/list", ""), true},
		{"sessionless add", sessionless("42", "tools/call", `{"_meta":`+meta+`,"name":"tester__add","arguments":{"a":1,"b":2}}`), sessionlessHeaders("tools/call", "tester__add"), true},
		{"sessionless echo", sessionless("43", "tools/call", `{"name":"tester__echo","arguments":{"q":"<&>"},"_meta":`+metaWithInfo+`}`), sessionlessHeaders("tools/call", "tester__echo"), true},
		{"sessionless unknown tool", sessionless(`"x"`, "tools/call", `{"_meta":`+meta+`,"name":"tester__nope"}`), sessionlessHeaders("tools/call", "tester__nope"), true},
		{"sessionless original's tool", sessionless("44", "tools/call", `{"_meta":`+meta+`,"name":"enkrypt_get_cache_status"}`), sessionlessHeaders("tools/call", "enkrypt_get_cache_status"), true},
		{"sessionless gateway's own failure", sessionless("45", "tools/call", `{"_meta":`+meta+`,"name":"enkrypt_get_server_info","arguments":{"server_name":"nope"}}`), sessionlessHeaders("tools/call", "enkrypt_get_server_info"), true},

		{"sessionless log level", sessionless("50", "tools/list", `{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/logLevel":"debug"}}`), sessionlessHeaders("tools/list", ""), false},
		{"sessionless progress token", sessionless("51", "tools/call", `{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"progressToken":1},"name":"tester__add"}`), sessionlessHeaders("tools/call", "tester__add"), false},
		{"sessionless without _meta", sessionless("52", "tools/list", `{}`), sessionlessHeaders("tools/list", ""), false},
		{"sessionless without capabilities", sessionless("53", "tools/list", `{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}`), sessionlessHeaders("tools/list", ""), false},
		{"sessionless, other version in _meta", sessionless("54", "tools/list", `{"_meta":{"io.modelcontextprotocol/protocolVersion":"2025-11-25","io.modelcontextprotocol/clientCapabilities":{}}}`), sessionlessHeaders("tools/list", ""), false},
		{"sessionless capabilities of an unknown shape", sessionless("55", "tools/list", `{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"future":{}}}}`), sessionlessHeaders("tools/list", ""), false},
		{"sessionless bad client info", sessionless("56", "tools/list", `{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":"me"}}`), sessionlessHeaders("tools/list", ""), false},
		{"sessionless without Mcp-Method", sessionless("57", "tools/list", `{"_meta":`+meta+`}`), map[string]string{"Mcp-Protocol-Version": "2026-07-28"}, false},
		{"sessionless with another Mcp-Name", sessionless("58", "tools/call", `{"_meta":`+meta+`,"name":"tester__add"}`), sessionlessHeaders("tools/call", "tester__echo"), false},
		{"sessionless with Mcp-Param", sessionless("59", "tools/call", `{"_meta":`+meta+`,"name":"tester__add","arguments":{"a":1}}`),
			map[string]string{"Mcp-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "tester__add", "Mcp-Param-A": "1"}, false},
		{"sessionless ping", sessionless("60", "ping", `{"_meta":`+meta+`}`), sessionlessHeaders("ping", ""), false},
		{"discover", sessionless("61", "server/discover", `{"_meta":`+meta+`}`), sessionlessHeaders("server/discover", ""), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			th.sdkSaw.take()
			want := post(t, th.sdk, tc.body, tc.header)
			got := post(t, th.direct, tc.body, tc.header)
			assert.Equal(t, want, got)
			saw := th.sdkSaw.take()
			if tc.direct {
				assert.Empty(t, saw, "answered directly")
			} else if strings.Contains(tc.body, "tools/") && want.status == http.StatusOK {
				assert.True(t, slices.ContainsFunc(saw, func(m string) bool { return strings.HasPrefix(m, "tools/") }), "left to the SDK: %v", saw)
			}
		})
	}
}

// TestADirectCallEndsWhenItsClientLeaves: a client that goes away cancels
// its call upstream, as with the SDK.
func TestADirectCallEndsWhenItsClientLeaves(t *testing.T) {
	th := newTwoHandlers(t, gateway.ToolsFlat)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", th.direct,
		strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"tester__slow","arguments":{"ms":30000}}}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+aliceKey)
	_, err = http.DefaultClient.Do(req)
	require.Error(t, err)
	select {
	case e := <-th.calls:
		assert.Equal(t, gateway.OutcomeCancelled, e.Outcome)
	case <-time.After(10 * time.Second):
		t.Fatal("the call went on after its client left")
	}
	assert.Empty(t, th.sdkSaw.take(), "answered directly")
}
