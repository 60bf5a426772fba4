// Command smg-load drives a running Secure MCP Gateway on this machine with C
// concurrent connections for D seconds per scenario and reports req/s, p50,
// p90, p99 and errors. It seeds the entities it reads through the API first,
// can start the server itself (-spawn) and a bare Gin reference handler that
// returns the same JSON body (-reference), measured side by side in the same
// run. With -gateway it drives the MCP gateway instead (see gateway.go). It
// only ever talks to loopback addresses, and every phase is bounded.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/securemcp/gateway/internal/gctune"
)

// Bounds: a load run on a shared machine must stop by itself.
const (
	maxDuration    = 5 * time.Minute
	maxConcurrency = 512
	maxEntities    = 1_000_000
)

type options struct {
	url         string
	key         string
	spawn       string
	concurrency int
	duration    time.Duration
	configs     int
	servers     int
	users       int
	keys        bool
	scenarios   string
	reference   bool
	rounds      int
	background  string
	// serverEnv is given to the spawned server only (e.g. GOGC).
	serverEnv []string
	// gatewayMode drives the MCP gateway instead of the management API.
	gatewayMode bool
	gateway     gatewayOptions
}

func main() {
	var err error
	if len(os.Args) == 3 && os.Args[1] == referenceFlag {
		err = serveReference(os.Args[2])
	} else {
		err = run(os.Args[1:], os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "smg-load:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	var o options
	fs := flag.NewFlagSet("smg-load", flag.ContinueOnError)
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8001", "base URL of the running gateway (loopback only)")
	fs.StringVar(&o.key, "key", os.Getenv("SMG_ADMIN_API_KEY"), "admin key (env SMG_ADMIN_API_KEY); not needed with -spawn")
	fs.StringVar(&o.spawn, "spawn", "", "path of a secure-mcp-gateway binary to start on a free loopback port in a temporary home (it inherits SMG_* variables, e.g. SMG_DATABASE_URL)")
	fs.IntVar(&o.concurrency, "c", 16, "concurrent connections")
	fs.DurationVar(&o.duration, "d", 10*time.Second, "duration of each scenario")
	fs.IntVar(&o.configs, "configs", 100, "configurations to seed")
	fs.IntVar(&o.servers, "servers", 5, "servers per seeded configuration")
	fs.IntVar(&o.users, "users", 1000, "users to seed")
	fs.BoolVar(&o.keys, "keys", false, "also give every seeded user a project membership and an API key")
	fs.StringVar(&o.scenarios, "scenarios", strings.Join(defaultScenarios, ","), "comma-separated scenarios: "+strings.Join(scenarioNames(), ", "))
	fs.BoolVar(&o.reference, "reference", true, "also measure a bare Gin handler returning the same body as get-config, alternating with get-config")
	fs.StringVar(&o.background, "background", "", "scenario:connections run beside every scenario, e.g. list-api-keys:8 (its latencies are reported too)")
	fs.IntVar(&o.rounds, "rounds", 5, "alternations of get-config and the reference (each -d/rounds long), so that background load hits both alike")
	fs.BoolVar(&o.gatewayMode, "gateway", false, "drive the MCP gateway instead of the management API (needs -spawn and -upstream): phases call, list, cold, sessions")
	fs.StringVar(&o.gateway.upstream, "upstream", "", "-gateway: the test upstream's binary (go build ./gateway/upstream/testdata/upstream)")
	fs.IntVar(&o.gateway.users, "gateway-users", 1, "-gateway: users (and keys) the call clients are spread over; each user has processes of their own")
	o.gateway.rates = []float64{250, 500, 1000}
	fs.Func("rate", "-gateway: comma-separated calls/s of the paced (open-loop) comparisons, or none (default 250,500,1000)", func(v string) error {
		o.gateway.rates = nil
		for _, r := range strings.Split(v, ",") {
			if r = strings.TrimSpace(r); r == "" || r == "none" {
				continue
			}
			rate, err := strconv.ParseFloat(r, 64)
			if err != nil {
				return err
			}
			o.gateway.rates = append(o.gateway.rates, rate)
		}
		return nil
	})
	fs.StringVar(&o.gateway.phases, "phases", strings.Join(gatewayPhases, ","), "-gateway: comma-separated phases: "+strings.Join(gatewayPhases, ", "))
	fs.IntVar(&o.gateway.listServers, "list-servers", 5, "-gateway list: servers of the configuration")
	fs.IntVar(&o.gateway.listTools, "list-tools", 20, "-gateway list: tools of each server")
	fs.IntVar(&o.gateway.coldRuns, "cold-runs", 10, "-gateway cold: processes started, one per call")
	fs.StringVar(&o.gateway.node, "node", "node", "-gateway cold: the Node.js binary")
	fs.StringVar(&o.gateway.everything, "everything", "node_modules/@modelcontextprotocol/server-everything/dist/index.js", "-gateway cold: the reference server's script (npm ci installs it)")
	fs.IntVar(&o.gateway.sessions, "sessions", 1000, "-gateway sessions: stateful sessions held open")
	fs.Func("server-env", "with -spawn: NAME=VALUE given to the spawned server only, not to smg-load (e.g. GOGC=200); repeatable", func(v string) error {
		if name, _, ok := strings.Cut(v, "="); !ok || name == "" {
			return fmt.Errorf("%q is not NAME=VALUE", v)
		}
		o.serverEnv = append(o.serverEnv, v)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case o.duration <= 0 || o.duration > maxDuration:
		return fmt.Errorf("-d must be in (0, %s]", maxDuration)
	case o.concurrency <= 0 || o.concurrency > maxConcurrency:
		return fmt.Errorf("-c must be in [1, %d]", maxConcurrency)
	case o.rounds < 1 || o.rounds > 100:
		return fmt.Errorf("-rounds must be in [1, 100]")
	case o.configs < 1 || o.configs > maxEntities || o.users < 0 || o.users > maxEntities || o.servers < 0 || o.servers > 100:
		return fmt.Errorf("-configs must be in [1, %d], -users in [0, %d], -servers in [0, 100]", maxEntities, maxEntities)
	}
	if _, _, err := background(o.background); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.gatewayMode {
		// The MCP SDK's client allocates a 32 KiB buffer per message it
		// decodes: paced as the server is, its collections do not take the
		// cores the gateway is measured on.
		if tuner := gctune.Start(gctune.Default, os.Getenv); tuner != nil {
			defer tuner.Stop()
		}
		if o.spawn == "" {
			return errors.New("-gateway needs -spawn: it starts the gateway itself")
		}
		if err := o.gateway.check(); err != nil {
			return err
		}
		return driveGateway(ctx, o, out)
	}

	var srv *spawned
	if o.spawn != "" {
		var err error
		if srv, err = spawn(ctx, o.spawn, spawnOptions{env: o.serverEnv}); err != nil {
			return err
		}
		defer srv.stop()
		o.url, o.key = srv.base, srv.key
	}
	if err := requireLoopback(o.url); err != nil {
		return err
	}
	if o.key == "" {
		return errors.New("no admin key: pass -key, set SMG_ADMIN_API_KEY or use -spawn")
	}
	return drive(ctx, o, srv, out)
}
