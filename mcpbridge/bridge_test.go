package mcpbridge

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// remoteServer is a streamable HTTP MCP server that requires key.
func remoteServer(t *testing.T, key string) string {
	t.Helper()
	server := mcp.NewServer(&mcp.Implementation{Name: "remote", Version: "1"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "echo"}, func(_ context.Context, _ *mcp.CallToolRequest, in struct {
		Text string `json:"text"`
	}) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "echo: " + in.Text}}}, nil, nil
	})
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, &mcp.StreamableHTTPOptions{Stateless: true})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+key {
			http.Error(w, `{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"bad key"}}`, http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/mcp/"
}

// runBridge starts the bridge on pipes and returns the client's ends.
func runBridge(t *testing.T, url, key string) (io.ReadCloser, io.WriteCloser, chan error) {
	t.Helper()
	clientIn, bridgeOut := io.Pipe()
	bridgeIn, clientOut := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- Run(context.Background(), url, key, bridgeIn, bridgeOut, nil) }()
	return clientIn, clientOut, done
}

func TestBridgeRelaysAStdioClientToTheGateway(t *testing.T) {
	url := remoteServer(t, "smg_right")
	in, out, done := runBridge(t, url, "smg_right")
	client := mcp.NewClient(&mcp.Implementation{Name: "desktop", Version: "1"}, nil)
	session, err := client.Connect(context.Background(), &mcp.IOTransport{Reader: in, Writer: out}, nil)
	require.NoError(t, err)
	tools, err := session.ListTools(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, tools.Tools, 1)
	res, err := session.CallTool(context.Background(), &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "hi"}})
	require.NoError(t, err)
	assert.Equal(t, "echo: hi", res.Content[0].(*mcp.TextContent).Text)
	require.NoError(t, session.Close(), "the client closes its side")
	select {
	case err := <-done:
		assert.NoError(t, err, "closing stdin ends the bridge cleanly")
	case <-time.After(10 * time.Second):
		t.Fatal("the bridge did not stop when its client left")
	}
}

func TestBridgeWithAWrongKeyFailsTheClient(t *testing.T) {
	url := remoteServer(t, "smg_right")
	in, out, _ := runBridge(t, url, "smg_wrong")
	client := mcp.NewClient(&mcp.Implementation{Name: "desktop", Version: "1"}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := client.Connect(ctx, &mcp.IOTransport{Reader: in, Writer: out}, nil)
	assert.Error(t, err)
}

func TestBridgeNeedsAKey(t *testing.T) {
	err := Run(context.Background(), "http://127.0.0.1:1/mcp", "", io.NopCloser(nil), nil, nil)
	assert.ErrorContains(t, err, "ENKRYPT_GATEWAY_KEY")
}

// A request the gateway does not take (a restart, a 503) is answered with an
// error, and the next ones go through: the client keeps its server.
func TestBridgeSurvivesAFailedRequest(t *testing.T) {
	server := mcp.NewServer(&mcp.Implementation{Name: "remote", Version: "1"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "echo"}, func(_ context.Context, _ *mcp.CallToolRequest, in struct {
		Text string `json:"text"`
	}) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "echo: " + in.Text}}}, nil, nil
	})
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, &mcp.StreamableHTTPOptions{Stateless: true})
	var failNext atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failNext.CompareAndSwap(true, false) {
			http.Error(w, "restarting", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	in, out, _ := runBridge(t, srv.URL+"/mcp/", "smg_any")
	client := mcp.NewClient(&mcp.Implementation{Name: "desktop", Version: "1"}, nil)
	session, err := client.Connect(context.Background(), &mcp.IOTransport{Reader: in, Writer: out}, nil)
	require.NoError(t, err)
	defer session.Close()
	failNext.Store(true)
	_, err = session.CallTool(context.Background(), &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "lost"}})
	require.Error(t, err, "the failed request is answered with an error")
	res, err := session.CallTool(context.Background(), &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"text": "again"}})
	require.NoError(t, err, "and the next one goes through")
	assert.Equal(t, "echo: again", res.Content[0].(*mcp.TextContent).Text)
}
