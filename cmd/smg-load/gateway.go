package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The MCP gateway's load scenarios (-gateway). Each phase seeds what it
// needs through the admin API of a spawned `system start`, then drives the
// gateway with the Go SDK's client on streamable HTTP:
//
//	call      tools/call of the test upstream's add through the gateway
//	          and on one stdio session straight to the same upstream,
//	          alternating: one client, C clients at saturation (closed
//	          loop), and C clients at each of the -rate calls/s (open loop)
//	list      tools/list of a configuration of -list-servers servers of
//	          -list-tools tools each, on a warm pool
//	cold      what the original system does for each call (start a
//	          process of the reference server, initialize, call, exit)
//	          against the same call through the gateway's warm process
//	sessions  resident memory of a stateful instance holding -sessions
//	          client sessions, each after initialize and tools/list

// gatewayOptions are the flags of -gateway.
type gatewayOptions struct {
	upstream    string
	users       int
	rates       []float64
	phases      string
	listServers int
	listTools   int
	coldRuns    int
	node        string
	everything  string
	sessions    int
}

var gatewayPhases = []string{"call", "list", "cold", "sessions"}

// testUpstreamTools is how many tools the test upstream offers by itself;
// -tools N adds N.
const testUpstreamTools = 12

func (g gatewayOptions) check() error {
	switch {
	case g.upstream == "":
		return errors.New("-gateway needs -upstream, the test upstream's binary (make load-gateway builds it)")
	case g.users < 1 || g.users > 10_000:
		return errors.New("-gateway-users must be in [1, 10000]")
	case slices.ContainsFunc(g.rates, func(r float64) bool { return r <= 0 || r > 100_000 }):
		return errors.New("-rate must be rates in (0, 100000]")
	case g.listServers < 1 || g.listServers > 50 || g.listTools < testUpstreamTools || g.listTools > 1000:
		return fmt.Errorf("-list-servers must be in [1, 50], -list-tools in [%d, 1000]", testUpstreamTools)
	case g.coldRuns < 1 || g.coldRuns > 1000:
		return errors.New("-cold-runs must be in [1, 1000]")
	case g.sessions < 1 || g.sessions > 20_000:
		return errors.New("-sessions must be in [1, 20000]")
	}
	for _, p := range strings.Split(g.phases, ",") {
		if !slices.Contains(gatewayPhases, strings.TrimSpace(p)) {
			return fmt.Errorf("unknown phase %q (known: %s)", p, strings.Join(gatewayPhases, ", "))
		}
	}
	if _, err := os.Stat(g.upstream); err != nil {
		return fmt.Errorf("-upstream: %w", err)
	}
	return nil
}

// driveGateway runs the phases against a spawned `system start` (and, for
// sessions, a stateful instance of its own).
func driveGateway(ctx context.Context, o options, out io.Writer) error {
	srv, err := spawn(ctx, o.spawn, spawnOptions{gateway: true, env: o.serverEnv})
	if err != nil {
		return err
	}
	defer srv.stop()
	admin := newClient(srv.base, srv.key, 8)
	for _, phase := range strings.Split(o.gateway.phases, ",") {
		var err error
		switch strings.TrimSpace(phase) {
		case "call":
			err = callPhase(ctx, o, srv, admin, out)
		case "list":
			err = listPhase(ctx, o, srv, admin, out)
		case "cold":
			err = coldPhase(ctx, o, srv, admin, out)
		case "sessions":
			err = sessionsPhase(ctx, o, out)
		}
		if err != nil {
			return fmt.Errorf("phase %s: %w", phase, err)
		}
	}
	if rss, peak, err := srv.memory(); err == nil {
		fmt.Fprintf(out, "\ngateway resident memory: %.1f MB now, %.1f MB peak (upstream processes excluded)\n", float64(rss)/1e6, float64(peak)/1e6)
	}
	return nil
}

// callPhase compares a tools/call through the gateway with the same call on
// a direct session, alternating -rounds times so that background load hits
// both alike.
func callPhase(ctx context.Context, o options, srv *spawned, admin *client, out io.Writer) error {
	keys, err := seedGatewayConfig(ctx, admin, "load-call", []mcpServerDef{{Name: "up", Command: o.gateway.upstream, Args: []string{"serve"}}}, o.gateway.users)
	if err != nil {
		return err
	}
	clients, err := openClients(ctx, o.concurrency, srv.mcpURL, keys)
	if err != nil {
		return err
	}
	defer clients.Close()
	direct, directPID, err := connectCommand(ctx, o.gateway.upstream, "serve")
	if err != nil {
		return fmt.Errorf("start the upstream directly: %w", err)
	}
	defer direct.Close()
	viaGateway := func(ctx context.Context, w int) error { return callAdd(ctx, clients.clients[w].session, "up__add") }
	straight := func(ctx context.Context, _ int) error { return callAdd(ctx, direct, "add") }
	for w := range clients.clients { // warm: every user's process starts
		if err := viaGateway(ctx, w); err != nil {
			return err
		}
	}
	pid := srv.cmd.Process.Pid
	meters := [2]cpuMeter{{gateway: pid, upstreams: childrenOf(pid)}, {upstreams: []int{directPID}}}
	fmt.Fprintf(out, "\ntools/call add: through the gateway (%d users, stateless streamable HTTP) vs one stdio session to the same upstream, %d alternations\n",
		o.gateway.users, o.rounds)
	type run struct {
		label   string
		workers int
		rate    float64
	}
	runs := []run{{"1 client", 1, 0}, {fmt.Sprintf("%d clients, saturated", o.concurrency), o.concurrency, 0}}
	for _, rate := range o.gateway.rates {
		runs = append(runs, run{fmt.Sprintf("%d clients at %.0f calls/s", o.concurrency, rate), o.concurrency, rate})
	}
	for _, run := range runs {
		g, d, cpu, err := alternate(ctx, o, run.workers, run.rate, meters, viaGateway, straight)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\n%s:\n", run.label)
		printHeader(out, "", "calls", "calls/s")
		printRow(out, g)
		printRow(out, d)
		fmt.Fprintf(out, "added by the gateway: p50 %s, p99 %s\n",
			round(g.percentile(.50)-d.percentile(.50)), round(g.percentile(.99)-d.percentile(.99)))
		fmt.Fprintf(out, "CPU per call through the gateway: %s\n", cpu[0].perCall(g.requests))
		fmt.Fprintf(out, "CPU per call direct:              %s\n", cpu[1].perCall(d.requests))
	}
	return nil
}

// alternate measures a and b in turn, -rounds times, each for half of
// -d/-rounds, and the CPU time their processes spent (meters[0] during a,
// meters[1] during b).
func alternate(ctx context.Context, o options, workers int, rate float64, meters [2]cpuMeter, a, b op) (result, result, [2]cpuSample, error) {
	slice := o.duration / time.Duration(2*o.rounds)
	res := [2]result{{name: "gateway"}, {name: "direct"}}
	var cpu [2]cpuSample
	for i := 0; i < o.rounds && ctx.Err() == nil; i++ {
		for side, fn := range [2]op{a, b} {
			before := meters[side].read()
			res[side] = merge(res[side], measureOps(ctx, res[side].name, workers, slice, rate, fn))
			cpu[side] = cpu[side].add(meters[side].read().sub(before))
		}
	}
	slices.Sort(res[0].lat)
	slices.Sort(res[1].lat)
	return res[0], res[1], cpu, ctx.Err()
}

// listPhase measures tools/list of a configuration of many servers, on a
// warm pool (every process started and its list kept).
func listPhase(ctx context.Context, o options, srv *spawned, admin *client, out io.Writer) error {
	g := o.gateway
	extra := strconv.Itoa(g.listTools - testUpstreamTools)
	servers := make([]mcpServerDef, g.listServers)
	for i := range servers {
		servers[i] = mcpServerDef{Name: fmt.Sprintf("up%d", i), Command: g.upstream, Args: []string{"serve", "-tools", extra}}
	}
	keys, err := seedGatewayConfig(ctx, admin, "load-list", servers, 1)
	if err != nil {
		return err
	}
	clients, err := openClients(ctx, o.concurrency, srv.mcpURL, keys)
	if err != nil {
		return err
	}
	defer clients.Close()
	want := g.listServers * g.listTools
	list := func(ctx context.Context, w int) error { return listAll(ctx, clients.clients[w].session, want) }
	if err := list(ctx, 0); err != nil { // warm: every process starts
		return err
	}
	fmt.Fprintf(out, "\ntools/list of %d servers × %d tools on a warm pool:\n", g.listServers, g.listTools)
	printHeader(out, "clients", "lists", "lists/s")
	pid := srv.cmd.Process.Pid
	meter := cpuMeter{gateway: pid, upstreams: childrenOf(pid)}
	var cpu []cpuSample
	var rows []result
	raw := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.concurrency, DisableCompression: true}}
	rawOp := func(ctx context.Context, _ int) error { return rawList(ctx, raw, srv.mcpURL, keys[0], want) }
	for _, run := range []struct {
		name    string
		workers int
		fn      op
	}{
		{"1", 1, list}, {strconv.Itoa(o.concurrency), o.concurrency, list},
		{"1, raw", 1, rawOp}, {strconv.Itoa(o.concurrency) + ", raw", o.concurrency, rawOp},
	} {
		before := meter.read()
		r := measureOps(ctx, run.name, run.workers, o.duration/4, 0, run.fn)
		cpu = append(cpu, meter.read().sub(before))
		rows = append(rows, r)
		printRow(out, r)
	}
	fmt.Fprintln(out, `("raw": the answer read over HTTP, not decoded: the gateway's part)`)
	for i, r := range rows {
		fmt.Fprintf(out, "CPU per list, %s client(s): %s\n", r.name, cpu[i].perCall(r.requests))
	}
	return ctx.Err()
}

// coldPhase compares a call made as the original system makes it (a new
// process of the reference server per call) with the same call through the
// gateway's warm process.
func coldPhase(ctx context.Context, o options, srv *spawned, admin *client, out io.Writer) error {
	g := o.gateway
	if _, err := os.Stat(g.everything); err != nil {
		fmt.Fprintf(out, "\ncold: skipped, %s is missing (npm ci installs it)\n", g.everything)
		return nil
	}
	cold := result{name: "per-call start"}
	exits := make([]time.Duration, 0, g.coldRuns)
	start := time.Now()
	for range g.coldRuns {
		t0 := time.Now()
		s, _, err := connectCommand(ctx, g.node, g.everything, "stdio")
		if err == nil {
			err = callEcho(ctx, s, "echo")
			cold.lat = append(cold.lat, time.Since(t0))
			_ = s.Close() // closes stdin and waits for the process to exit
			exits = append(exits, time.Since(t0))
		}
		if err != nil {
			return fmt.Errorf("start the reference server: %w", err)
		}
	}
	cold.elapsed, cold.requests = time.Since(start), len(cold.lat)
	slices.Sort(cold.lat)
	slices.Sort(exits)

	keys, err := seedGatewayConfig(ctx, admin, "load-cold", []mcpServerDef{{Name: "everything", Command: g.node, Args: []string{g.everything, "stdio"}}}, 1)
	if err != nil {
		return err
	}
	c, err := connectGateway(ctx, srv.mcpURL, keys[0])
	if err != nil {
		return err
	}
	defer c.Close()
	call := func(ctx context.Context, _ int) error { return callEcho(ctx, c.session, "everything__echo") }
	if err := call(ctx, 0); err != nil { // warm: the process starts
		return err
	}
	warm := measureOps(ctx, "gateway, warm", 1, o.duration/2, 0, call)
	fmt.Fprintf(out, "\ntools/call echo of the reference server (%s %s), one client:\n", g.node, g.everything)
	printHeader(out, "", "calls", "calls/s")
	printRow(out, cold)
	printRow(out, warm)
	fmt.Fprintf(out, "per-call start until the result: p50 %s (until the process exited: %s); the gateway's warm call is %.0f× faster at p50\n",
		round(cold.percentile(.5)), round(exits[len(exits)/2]), float64(cold.percentile(.5))/float64(warm.percentile(.5)))
	return nil
}

// sessionsPhase opens -sessions stateful sessions on an instance of their
// own and reads its resident memory.
func sessionsPhase(ctx context.Context, o options, out io.Writer) error {
	g := o.gateway
	// Each session holds its standalone SSE stream and a connection for its
	// requests: room for them all.
	conns := strconv.Itoa(max(1024, 3*g.sessions))
	srv, err := spawn(ctx, o.spawn, spawnOptions{gateway: true, args: []string{"--mcp-stateful"},
		env: append([]string{"SMG_MAX_CONNECTIONS=" + conns}, o.serverEnv...)})
	if err != nil {
		return err
	}
	defer srv.stop()
	keys, err := seedGatewayConfig(ctx, newClient(srv.base, srv.key, 8), "load-sessions",
		[]mcpServerDef{{Name: "up", Command: g.upstream, Args: []string{"serve"}}}, 1)
	if err != nil {
		return err
	}
	open := func(ctx context.Context) (*mcpClient, error) {
		c, err := connectGateway(ctx, srv.mcpURL, keys[0])
		if err != nil {
			return nil, err
		}
		if err := listAll(ctx, c.session, testUpstreamTools); err != nil {
			c.Close()
			return nil, err
		}
		return c, nil
	}
	warm, err := open(ctx) // the upstream starts; the instance is warm
	if err != nil {
		return err
	}
	warm.Close()
	time.Sleep(time.Second)
	before, _, err := srv.memory()
	if err != nil {
		return err
	}
	clients := make([]*mcpClient, g.sessions)
	defer func() {
		for _, c := range clients {
			if c != nil {
				c.Close()
			}
		}
	}()
	began := time.Now()
	err = parallel(ctx, g.sessions, 16, func(i int) error {
		var err error
		clients[i], err = open(ctx)
		return err
	})
	if err != nil {
		return err
	}
	opened := time.Since(began)
	time.Sleep(time.Second) // let the last handshakes settle
	rss, peak, err := srv.memory()
	if err != nil {
		return err
	}
	// Each session is still usable: one more request on the last one.
	if err := listAll(ctx, clients[len(clients)-1].session, testUpstreamTools); err != nil {
		return fmt.Errorf("a session stopped working: %w", err)
	}
	fmt.Fprintf(out, "\n%d stateful sessions (initialize + tools/list each, opened in %s): gateway resident memory %.1f MB (peak %.1f MB), %.1f MB before them, %.1f KB per session\n",
		g.sessions, opened.Round(time.Millisecond), float64(rss)/1e6, float64(peak)/1e6, float64(before)/1e6, float64(rss-before)/1e3/float64(g.sessions))
	return nil
}
