package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// bearer sends a gateway key with every request, as MCP clients do.
type bearer struct {
	key  string
	next http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.key)
	return b.next.RoundTrip(r)
}

// mcpClient is one MCP client of the gateway: the Go SDK's client on
// streamable HTTP, with connections of its own, as separate client
// processes have.
type mcpClient struct {
	session   *mcp.ClientSession
	transport *http.Transport
}

func connectGateway(ctx context.Context, url, key string) (*mcpClient, error) {
	t := &http.Transport{MaxIdleConnsPerHost: 2, DisableCompression: true}
	client := mcp.NewClient(&mcp.Implementation{Name: "smg-load", Version: "1"}, nil)
	session, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: url,
		HTTPClient: &http.Client{Transport: bearer{key, t}}}, nil)
	if err != nil {
		t.CloseIdleConnections()
		return nil, fmt.Errorf("connect to the gateway: %w", err)
	}
	return &mcpClient{session: session, transport: t}, nil
}

func (c *mcpClient) Close() {
	_ = c.session.Close()
	c.transport.CloseIdleConnections()
}

// connectCommand starts an MCP server on stdio with the SDK's
// CommandTransport, with no environment but PATH and HOME (as the gateway's
// pool gives its processes), and initializes a session. It returns the
// server's pid too.
func connectCommand(ctx context.Context, name string, args ...string) (*mcp.ClientSession, int, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	client := mcp.NewClient(&mcp.Implementation{Name: "smg-load", Version: "1"}, nil)
	s, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		return nil, 0, err
	}
	return s, cmd.Process.Pid, nil
}

// callAdd calls the test upstream's add and checks the sum, so that a
// failing path is never measured as a fast one.
func callAdd(ctx context.Context, s *mcp.ClientSession, tool string) error {
	res, err := s.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: json.RawMessage(`{"a":2,"b":40}`)})
	if err != nil {
		return err
	}
	if text, ok := firstText(res); !ok || text != "42" || res.IsError {
		return fmt.Errorf("%s answered %s", tool, describe(res))
	}
	return nil
}

// callEcho calls the reference server's echo.
func callEcho(ctx context.Context, s *mcp.ClientSession, tool string) error {
	res, err := s.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: map[string]any{"message": "hi"}})
	if err != nil {
		return err
	}
	if text, ok := firstText(res); !ok || text != "Echo: hi" || res.IsError {
		return fmt.Errorf("%s answered %s", tool, describe(res))
	}
	return nil
}

// listAll reads every page of tools/list and checks the count.
func listAll(ctx context.Context, s *mcp.ClientSession, want int) error {
	n := 0
	for _, err := range s.Tools(ctx, nil) {
		if err != nil {
			return err
		}
		n++
	}
	if n < want {
		return fmt.Errorf("tools/list gave %d tools, want at least %d", n, want)
	}
	return nil
}

func firstText(res *mcp.CallToolResult) (string, bool) {
	if len(res.Content) == 0 {
		return "", false
	}
	t, ok := res.Content[0].(*mcp.TextContent)
	if !ok {
		return "", false
	}
	return t.Text, true
}

func describe(res *mcp.CallToolResult) string {
	raw, _ := json.Marshal(res)
	return fmt.Sprintf("%.200s", raw)
}

// op is one measured operation of worker w.
type op func(ctx context.Context, w int) error

// measureOps runs op from workers goroutines for d. With rate > 0 the
// workers together start rate operations per second, evenly spread (an
// open loop: latency is measured at a load the system is not saturated
// by); otherwise each starts its next operation when the last one ends (a
// closed loop: throughput at saturation).
func measureOps(ctx context.Context, name string, workers int, d time.Duration, rate float64, fn op) result {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		res      = result{name: name}
		firstErr atomic.Value
	)
	start := time.Now()
	var interval time.Duration
	if rate > 0 {
		interval = time.Duration(float64(workers) / rate * float64(time.Second))
	}
	for w := range workers {
		wg.Go(func() {
			lat := make([]time.Duration, 0, 4096)
			errs := 0
			next := start.Add(interval * time.Duration(w) / time.Duration(workers))
			for ctx.Err() == nil {
				if interval > 0 {
					if wait := time.Until(next); wait > 0 {
						select {
						case <-time.After(wait):
						case <-ctx.Done():
						}
						if ctx.Err() != nil {
							break
						}
					}
					next = next.Add(interval)
				}
				t0 := time.Now()
				err := fn(ctx, w)
				if ctx.Err() != nil {
					break // cut by the end of the run: not a measurement
				}
				lat = append(lat, time.Since(t0))
				if err != nil {
					errs++
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.errors += errs
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.requests = len(res.lat)
	slices.Sort(res.lat)
	if v, ok := firstErr.Load().(string); ok {
		res.firstErr = v
	}
	return res
}

// sessionPool opens one gateway client per worker and closes them all.
type sessionPool struct {
	clients []*mcpClient
}

func openClients(ctx context.Context, n int, url string, keys []string) (*sessionPool, error) {
	p := &sessionPool{clients: make([]*mcpClient, n)}
	err := parallel(ctx, n, min(n, 16), func(i int) error {
		c, err := connectGateway(ctx, url, keys[i%len(keys)])
		p.clients[i] = c
		return err
	})
	if err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *sessionPool) Close() {
	for _, c := range p.clients {
		if c != nil {
			c.Close()
		}
	}
}

// rawList posts a tools/list as a client of protocol 2025-11-25 would, and
// reads the whole answer without decoding it: the gateway's own latency,
// without a client library's decoding of a long list.
func rawList(ctx context.Context, c *http.Client, url, key string, want int) error {
	req, err := http.NewRequestWithContext(ctx, "POST", url, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if n := strings.Count(string(body), `"inputSchema"`); res.StatusCode != http.StatusOK || n < want {
		return fmt.Errorf("tools/list: %d with %d tools, want %d: %.200s", res.StatusCode, n, want, body)
	}
	return nil
}
