package bench

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// serverRequest is an MCP request as a client posts it in stateless mode.
func serverRequest(key, body string) *http.Request {
	req := httptest.NewRequest("POST", "http://127.0.0.1/mcp/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
	req.Header.Set("Authorization", "Bearer "+key)
	return req
}

// BenchmarkGatewayServer is the gateway's own share of a request: the HTTP
// handler serves a request built in memory (no network, no client), from
// key verification to the encoded answer. sdk-only is the MCP SDK's
// stateless handler with a tool answering in process, for scale.
func BenchmarkGatewayServer(b *testing.B) {
	call := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"up0__add","arguments":{"a":2,"b":40}}}`
	list := `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`
	serve := func(b *testing.B, h http.Handler, key, body, want string) {
		b.ReportAllocs()
		for b.Loop() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, serverRequest(key, body))
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
				b.Fatalf("%d %.300s", rec.Code, rec.Body)
			}
		}
	}
	b.Run("call", func(b *testing.B) {
		g := newGatewayStack(b, 1, 0, false)
		serve(b, g.handler, g.key, call, `"text":"42"`)
	})
	b.Run("list-5x20", func(b *testing.B) {
		g := newGatewayStack(b, 5, 8, false)
		serve(b, g.handler, g.key, list, `up4__t7`)
	})
	b.Run("sdk-only-call", func(b *testing.B) {
		s := mcp.NewServer(&mcp.Implementation{Name: "bare", Version: "1"}, nil)
		s.AddTool(&mcp.Tool{Name: "up0__add", InputSchema: json.RawMessage(`{"type":"object"}`)},
			func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
				return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "42"}}, StructuredContent: map[string]int{"sum": 42}}, nil
			})
		h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, &mcp.StreamableHTTPOptions{Stateless: true})
		serve(b, h, "", call, `"text":"42"`)
	})
}
