package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/config"
	"github.com/securemcp/gateway/internal/dataplane"
	"github.com/securemcp/gateway/internal/gctune"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
)

// The MCP gateway's benchmarks: a tools/call and a tools/list through the
// whole data plane as the server runs it — a real HTTP server on loopback,
// the key verified against the SQLite store on every request, stateless
// streamable HTTP, the Go SDK's client — next to the same call made on a
// client session straight to the upstream (the test upstream, a Go MCP
// server on stdio), so that the difference is the gateway's overhead.
//
//	go test -run '^$' -bench Gateway -benchtime 5s ./bench/

var (
	upstreamOnce sync.Once
	upstreamBin  string
	upstreamErr  error
)

// testUpstream builds the pool's test upstream once per run.
func testUpstream(tb testing.TB) string {
	tb.Helper()
	upstreamOnce.Do(func() {
		dir, err := os.MkdirTemp("", "smg-bench-upstream-")
		if err != nil {
			upstreamErr = err
			return
		}
		upstreamBin = filepath.Join(dir, "upstream")
		out, err := exec.Command("go", "build", "-o", upstreamBin, "../gateway/upstream/testdata/upstream").CombinedOutput()
		if err != nil {
			upstreamErr = fmt.Errorf("build the test upstream: %v: %s", err, out)
		}
	})
	if upstreamErr != nil {
		tb.Fatal(upstreamErr)
	}
	return upstreamBin
}

// TestMain removes the test upstream built by the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if upstreamBin != "" {
		_ = os.RemoveAll(filepath.Dir(upstreamBin))
	}
	os.Exit(code)
}

// gatewayStack is the management core with the data plane in front of it,
// served on loopback, and one user's key of a configuration.
type gatewayStack struct {
	*stack
	handler http.Handler
	url     string
	key     string
}

// newGatewayStack seeds a configuration with servers test upstream servers
// (each offering extraTools tools besides its own), a project, a user and a
// key through the admin API, and serves the data plane over HTTP.
func newGatewayStack(tb testing.TB, servers, extraTools int, stateful bool) *gatewayStack {
	tb.Helper()
	s := newStack(tb, sqltest.Backends()[0], 10)
	bin := testUpstream(tb)
	s.must(tb, http.StatusCreated, "POST", "/api/v1/configs", `{"config_name": "mcp"}`)
	for i := range servers {
		body, _ := json.Marshal(map[string]any{"server_name": fmt.Sprintf("up%d", i), "server_command": bin,
			"args": []string{"serve", "-tools", fmt.Sprint(extraTools)}, "description": "test upstream"})
		s.must(tb, http.StatusCreated, "POST", "/api/v1/configs/mcp/servers", string(body))
	}
	s.must(tb, http.StatusCreated, "POST", "/api/v1/projects", `{"project_name": "mcp-project"}`)
	s.must(tb, http.StatusOK, "POST", "/api/v1/projects/mcp-project/assign-config", `{"config_name": "mcp"}`)
	s.must(tb, http.StatusCreated, "POST", "/api/v1/users", `{"email": "mcp@example.com"}`)
	s.must(tb, http.StatusCreated, "POST", "/api/v1/projects/mcp-project/users", `{"email": "mcp@example.com"}`)
	raw := s.must(tb, http.StatusCreated, "POST", "/api/v1/users/mcp@example.com/api-keys", `{"project_name": "mcp-project"}`)
	var key struct {
		Data struct {
			Key string `json:"api_key"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &key); err != nil || key.Data.Key == "" {
		tb.Fatalf("no key in %s: %v", raw, err)
	}

	// The collector paced as the server paces it, for as long as the stack
	// lives.
	before := debug.SetGCPercent(100)
	debug.SetGCPercent(before)
	if tuner := gctune.Start(gctune.Default, os.Getenv); tuner != nil {
		tb.Cleanup(func() { tuner.Stop(); debug.SetGCPercent(before) })
	}
	settings := config.Settings{MaxBodyBytes: 1 << 20, Gateway: config.GatewaySettings{
		Stateful: stateful, ToolMode: "both", SessionTimeout: 30 * time.Minute, MaxCallsPerProcess: 64}}
	pool, err := dataplane.NewPool(settings.Gateway, zap.NewNop(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	handler, err := dataplane.NewHandler(dataplane.Core{Keys: s.svc.APIKeys, Configs: s.svc.Configs, ProviderKey: s.svc.Settings.ProviderKey, Calls: s.svc.Audit}, settings, pool, zap.NewNop(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	tb.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = pool.Close(ctx)
	})
	return &gatewayStack{stack: s, handler: handler, url: srv.URL + "/mcp/", key: key.Data.Key}
}

// bearer sends a gateway key with every request.
type bearer struct {
	key  string
	next http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.key)
	return b.next.RoundTrip(r)
}

// connect opens an SDK client session to the gateway.
func (g *gatewayStack) connect(tb testing.TB) *mcp.ClientSession {
	tb.Helper()
	transport := &http.Transport{MaxIdleConnsPerHost: 4}
	client := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil)
	session, err := client.Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: g.url,
		HTTPClient: &http.Client{Transport: bearer{g.key, transport}}}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = session.Close(); transport.CloseIdleConnections() })
	return session
}

// directSession is a client session on stdio to the test upstream, as the
// gateway's own pool holds one.
func directSession(tb testing.TB, extraTools int) *mcp.ClientSession {
	tb.Helper()
	cmd := exec.Command(testUpstream(tb), "serve", "-tools", fmt.Sprint(extraTools))
	cmd.Env = []string{}
	client := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "1"}, nil)
	session, err := client.Connect(context.Background(), &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = session.Close() })
	return session
}

// addCall checks the answer of add, so that a failing path is never timed
// as a fast one.
func addCall(ctx context.Context, s *mcp.ClientSession, name string) error {
	res, err := s.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: json.RawMessage(`{"a":2,"b":40}`)})
	if err != nil {
		return err
	}
	if res.IsError || len(res.Content) == 0 {
		return fmt.Errorf("%s: unexpected result %+v", name, res)
	}
	if t, ok := res.Content[0].(*mcp.TextContent); !ok || t.Text != "42" {
		return fmt.Errorf("%s: unexpected result %+v", name, res.Content[0])
	}
	return nil
}

// latencies collects the duration of every operation of a benchmark and
// reports their p50 and p99.
type latencies struct {
	mu  sync.Mutex
	all []time.Duration
}

func (l *latencies) add(d []time.Duration) {
	l.mu.Lock()
	l.all = append(l.all, d...)
	l.mu.Unlock()
}

func (l *latencies) report(b *testing.B) {
	slices.Sort(l.all)
	if len(l.all) == 0 {
		return
	}
	at := func(p float64) float64 {
		return float64(l.all[min(len(l.all)-1, int(p*float64(len(l.all))))].Microseconds())
	}
	b.ReportMetric(at(.50), "p50-µs")
	b.ReportMetric(at(.99), "p99-µs")
}

// clients is the concurrency of the parallel benchmarks: 16 goroutines per
// core, 32 on two cores.
const parallelism = 16

// runCalls measures op serially, then from parallelism×GOMAXPROCS
// goroutines, each with its own session from sessions.
func runCalls(b *testing.B, sessions func(i int) *mcp.ClientSession, op func(context.Context, *mcp.ClientSession) error) {
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		s := sessions(0)
		var lat latencies
		own := make([]time.Duration, 0, 1024)
		b.ReportAllocs()
		for b.Loop() {
			t0 := time.Now()
			if err := op(ctx, s); err != nil {
				b.Fatal(err)
			}
			own = append(own, time.Since(t0))
		}
		lat.add(own)
		lat.report(b)
	})
	b.Run("parallel", func(b *testing.B) {
		var lat latencies
		var next atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(parallelism)
		b.RunParallel(func(pb *testing.PB) {
			s := sessions(int(next.Add(1) - 1))
			own := make([]time.Duration, 0, 1024)
			for pb.Next() {
				t0 := time.Now()
				if err := op(ctx, s); err != nil {
					b.Error(err)
					return
				}
				own = append(own, time.Since(t0))
			}
			lat.add(own)
		})
		lat.report(b)
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
	})
}

// sessionSet opens sessions lazily, one per index, shared by the runs.
func sessionSet(b *testing.B, open func() *mcp.ClientSession) func(int) *mcp.ClientSession {
	var mu sync.Mutex
	opened := map[int]*mcp.ClientSession{}
	return func(i int) *mcp.ClientSession {
		mu.Lock()
		defer mu.Unlock()
		if s, ok := opened[i]; ok {
			return s
		}
		opened[i] = open()
		return opened[i]
	}
}

// BenchmarkGatewayCallTool is a tools/call of add on a warm upstream, through
// the gateway (each client its own session) and directly on one stdio
// session to the same upstream (shared by every goroutine, as the gateway's
// pool shares its process's).
func BenchmarkGatewayCallTool(b *testing.B) {
	b.Run("gateway", func(b *testing.B) {
		g := newGatewayStack(b, 1, 0, false)
		sessions := sessionSet(b, func() *mcp.ClientSession { return g.connect(b) })
		if err := addCall(context.Background(), sessions(0), "up0__add"); err != nil { // warm: the process starts
			b.Fatal(err)
		}
		runCalls(b, sessions, func(ctx context.Context, s *mcp.ClientSession) error { return addCall(ctx, s, "up0__add") })
	})
	b.Run("direct", func(b *testing.B) {
		direct := directSession(b, 0)
		runCalls(b, func(int) *mcp.ClientSession { return direct }, func(ctx context.Context, s *mcp.ClientSession) error {
			return addCall(ctx, s, "add")
		})
	})
}

// BenchmarkGatewayListTools is a tools/list on a warm pool of 5 servers of
// 20 tools each (the test upstream's own 12 and 8 more), through the
// gateway, and the same list from one server directly.
func BenchmarkGatewayListTools(b *testing.B) {
	const servers, extra = 5, 8
	list := func(want int) func(context.Context, *mcp.ClientSession) error {
		return func(ctx context.Context, s *mcp.ClientSession) error {
			n := 0
			for _, err := range s.Tools(ctx, nil) { // every page
				if err != nil {
					return err
				}
				n++
			}
			if n < want {
				return fmt.Errorf("%d tools, want at least %d", n, want)
			}
			return nil
		}
	}
	b.Run("gateway", func(b *testing.B) {
		g := newGatewayStack(b, servers, extra, false)
		sessions := sessionSet(b, func() *mcp.ClientSession { return g.connect(b) })
		if err := list(servers*20)(context.Background(), sessions(0)); err != nil { // warm: every process starts
			b.Fatal(err)
		}
		runCalls(b, sessions, list(servers*20))
	})
	b.Run("direct", func(b *testing.B) {
		direct := directSession(b, extra)
		runCalls(b, func(int) *mcp.ClientSession { return direct }, list(20))
	})
}

// TestGatewayBenchmarksWork runs each measured operation once, so that the
// benchmarks cannot rot unnoticed.
func TestGatewayBenchmarksWork(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := newGatewayStack(t, 2, 8, false)
	s := g.connect(t)
	if err := addCall(ctx, s, "up0__add"); err != nil {
		t.Fatal(err)
	}
	res, err := s.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if flat := len(res.Tools) - 6; flat != 40 { // the original's six enkrypt_* tools besides
		t.Fatalf("%d flat tools, want 2 servers × 20", flat)
	}
	if err := addCall(ctx, directSession(t, 0), "add"); err != nil {
		t.Fatal(err)
	}
}
