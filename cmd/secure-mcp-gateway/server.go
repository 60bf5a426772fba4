package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/config"
	"github.com/securemcp/gateway/controllers"
	"github.com/securemcp/gateway/docs"
	"github.com/securemcp/gateway/gateway"
	"github.com/securemcp/gateway/gateway/upstream"
	"github.com/securemcp/gateway/internal/connlimit"
	"github.com/securemcp/gateway/internal/dataplane"
	"github.com/securemcp/gateway/internal/gctune"
	"github.com/securemcp/gateway/metrics"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/cached"
	"github.com/securemcp/gateway/repositories/timed"
)

// Server timeouts: bounded so that slow or idle clients cannot hold
// connections forever.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	shutdownTimeout   = 30 * time.Second
)

// maxHeaderBytes bounds a request's headers (net/http answers 431 beyond):
// the default of 1 MB let a thousand connections hold a gigabyte. Real
// requests carry a few hundred bytes of headers.
const maxHeaderBytes = 64 << 10

// serving says which of the two servers a start command runs.
type serving struct{ api, gateway bool }

// startCmd builds a command that serves what s says until SIGINT or SIGTERM.
func startCmd(use, short string, s serving, examples ...string) *cobra.Command {
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Example: example(examples...),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			reload, _ := cmd.Flags().GetBool("reload")
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runServer(ctx, cmd, s, reload)
		},
	}
	cmd.Flags().String("host", config.DefaultHost, "listen address (env SMG_HOST)")
	if s.api {
		cmd.Flags().Int("port", config.DefaultPort, "management API port (env SMG_PORT)")
	}
	if s.gateway {
		cmd.Flags().Int("mcp-port", config.DefaultMCPPort, "MCP gateway port: clients connect to /mcp and /mcp/ (env SMG_MCP_PORT)")
		boolFlag(cmd, "mcp-stateful", "keep MCP sessions for clients that need them; by default every request stands alone (env SMG_MCP_STATEFUL)")
	}
	boolFlag(cmd, "metrics", "serve Prometheus metrics at /metrics of the management API, admin key required (env SMG_METRICS)")
	boolFlag(cmd, "reload", "watch the config file and apply admin key and log level changes live")
	return cmd
}

func newStartCmd() *cobra.Command {
	return startCmd("start", "Serve the management API and the MCP gateway", serving{api: true, gateway: true},
		"system start", "system start --host 127.0.0.1 --port 8001 --mcp-port 8000",
		"system start --database-url postgres://smg@db:5432/smg --metrics")
}

func newStartAPICmd() *cobra.Command {
	return startCmd("start-api", "Serve the management API", serving{api: true},
		"system start-api", "system start-api --host 127.0.0.1 --port 8080 --reload",
		"system start-api --database-url postgres://smg@db:5432/smg --metrics")
}

func newStartGatewayCmd() *cobra.Command {
	return startCmd("start-gateway", "Serve the MCP gateway alone", serving{gateway: true},
		"system start-gateway", "system start-gateway --mcp-port 8000 --mcp-stateful")
}

// listening is one bound HTTP server.
type listening struct {
	name     string
	srv      *http.Server
	listener net.Listener
	maxConns int
}

// runServer serves until ctx ends, then drains in-flight requests, stops
// every upstream process and closes the store.
func runServer(ctx context.Context, cmd *cobra.Command, s serving, reload bool) error {
	path, err := config.ResolveConfigPath(cmd.Flags())
	if err != nil {
		return err
	}
	generated := false
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := config.Generate(path, false); err != nil {
			return err
		}
		generated = true
	}
	loader, settings, err := loadSettings(cmd)
	if err != nil {
		return err
	}
	live, err := config.NewLive(settings)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	log, err := config.NewLogger(live)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	for _, w := range settings.Warnings {
		log.Warn(w, zap.String("config_path", path))
	}
	if generated {
		log.Info("generated a new config file; the admin key is its admin_apikey field unless SMG_ADMIN_API_KEY overrides it", zap.String("config_path", path))
	}
	// The collector's pace follows the live heap unless GOGC or GOMEMLIMIT
	// says otherwise (see internal/gctune).
	if tuner := gctune.Start(gctune.Default, os.Getenv); tuner != nil {
		defer tuner.Stop()
	}
	var m *metrics.Metrics
	var gm *metrics.Gateway
	var decorators []func(repositories.Store) repositories.Store
	if settings.Metrics {
		m = metrics.New()
		decorators = append(decorators, func(s repositories.Store) repositories.Store { return timed.Wrap(s, m) })
	}
	// The read cache goes outside the timing, so that metrics show real store calls.
	decorators = append(decorators, func(s repositories.Store) repositories.Store {
		c, _ := cached.Wrap(s, cached.DefaultTTL, time.Now) // DefaultTTL is valid
		return c
	})
	a, err := openApp(ctx, loader, settings, serverFiles, decorators...)
	if err != nil {
		return err
	}
	defer func() {
		// Closing writes the last uses of keys that are still pending.
		if err := a.Close(); err != nil {
			log.Error("closing the store failed", zap.Error(err))
		}
	}()
	logSecretKey(a, log)
	startedAt := time.Now().UTC()
	if err := importOriginalState(ctx, a, path, log); err != nil {
		return err
	}
	if reload {
		watchConfig(loader, live, path, log)
	}
	defer keepAuditRetention(a.services.Audit, settings.AuditRetentionDays, log)() // stopped before the store closes
	logRefusalAggregates(a.services.Audit, log)

	// One pool runs the gateway's upstreams and the admins' discoveries; it
	// stops every process it started before the store closes.
	admin := gateway.Info{Serving: s.gateway, Stateful: settings.Gateway.Stateful, Mode: gateway.ToolMode(settings.Gateway.ToolMode)}
	if s.gateway {
		admin.Address = settings.MCPAddr()
	}
	var states func() map[string]int
	if m != nil {
		gm = m.NewGateway(func() map[string]int { return states() })
	}
	pool, err := dataplane.NewPool(settings.Gateway, log, gm)
	if err != nil {
		return err
	}
	defer closePool(pool, log)
	gatewayAdmin := gateway.NewAdmin(pool, a.services.Configs, admin)
	states = gatewayAdmin.ProcessStates

	var servers []listening
	defer func() {
		for _, l := range servers {
			_ = l.listener.Close()
		}
	}()
	if s.api {
		gin.SetMode(gin.ReleaseMode)
		handler := controllers.NewHandler(controllers.Deps{
			Gateway: gatewayAdmin,
			Log:     log, AdminKeys: live, CORSOrigins: settings.CORSOrigins, MaxBodyBytes: settings.MaxBodyBytes,
			Version: config.BuildVersion(), ConfigPath: path, Services: a.services, Docs: docs.Register, Metrics: m,
			StartedAt: startedAt, TrustedProxies: settings.TrustedProxies,
		})
		l, err := listen("management API", settings.Addr(), handler, settings.MaxConnections, log)
		if err != nil {
			return err
		}
		servers = append(servers, l)
	}
	if s.gateway {
		dataplane.LogPolicyWarnings(ctx, a.services.Configs, log)
		handler, err := dataplane.NewHandler(dataplane.Core{Keys: a.services.APIKeys, Configs: a.services.Configs, ProviderKey: a.services.Settings.ProviderKey,
			Calls: a.services.Audit, Refusals: a.services.Audit}, settings, pool, log, gm)
		if err != nil {
			return err
		}
		l, err := listen("MCP gateway", settings.MCPAddr(), handler, settings.MaxConnections, log)
		if err != nil {
			return err
		}
		// Streams of tool calls last as long as the calls: no write timeout.
		l.srv.WriteTimeout = 0
		servers = append(servers, l)
	}
	// stop-api finds a server by the port of its API, or of its gateway
	// when it serves no API.
	pidSettings := settings
	if !s.api {
		pidSettings.Port = settings.Gateway.Port
	}
	releasePIDFile, err := claimPIDFile(pidSettings, log)
	if err != nil {
		return err
	}
	defer releasePIDFile()
	return serveUntilDone(ctx, servers, log, zap.String("store", a.store.Backend()),
		zap.String("config_path", path), zap.String("data_dir", settings.DataDir))
}

// watchConfig applies admin key and log level changes of the config file live.
func watchConfig(loader *config.Loader, live *config.Live, path string, log *zap.Logger) {
	loader.Watch(func(s config.Settings) error {
		if err := live.Apply(s); err != nil {
			return err
		}
		for _, w := range s.Warnings {
			log.Warn(w, zap.String("config_path", path))
		}
		log.Info("config file reloaded", zap.String("config_path", path), zap.String("log_level", s.LogLevel))
		return nil
	}, func(err error) { log.Warn("config file change ignored", zap.Error(err)) })
}

// listen binds addr first, so that "serving" is logged only once it is true
// and a port in use is said plainly, and bounds the server's connections and
// headers.
func listen(name, addr string, handler http.Handler, maxConnections int, log *zap.Logger) (listening, error) {
	maxConns, fileLimit, lowered := connlimit.FitFileLimit(maxConnections)
	if lowered {
		log.Warn("max_connections lowered to fit the open file limit; raise the limit (ulimit -n) to allow more",
			zap.Int("max_connections", maxConnections), zap.Int("allowed", maxConns), zap.Uint64("open_file_limit", fileLimit))
	}
	conns := connlimit.New(maxConns)
	srv := &http.Server{
		Addr: addr, Handler: handler, MaxHeaderBytes: maxHeaderBytes, ConnState: conns.ConnState,
		ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout, WriteTimeout: writeTimeout, IdleTimeout: idleTimeout,
	}
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return listening{}, fmt.Errorf("listen on %s for the %s (is another server using this port?): %w", addr, name, err)
	}
	return listening{name: name, srv: srv, listener: conns.Listener(listener), maxConns: maxConns}, nil
}

// serveUntilDone serves every server until ctx ends or one fails, then shuts
// them all down, finishing in-flight requests.
func serveUntilDone(ctx context.Context, servers []listening, log *zap.Logger, fields ...zap.Field) error {
	errc := make(chan error, len(servers))
	for _, l := range servers {
		go func() {
			if err := l.srv.Serve(l.listener); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("serve the %s: %w", l.name, err)
			}
		}()
		log.Info("serving the "+l.name, append([]zap.Field{zap.String("addr", l.listener.Addr().String()),
			zap.Int("max_connections", l.maxConns)}, fields...)...)
	}
	var failed error
	select {
	case failed = <-errc:
	case <-ctx.Done():
	}
	log.Info("shutting down; finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	errs := []error{failed}
	for _, l := range servers {
		if err := l.srv.Shutdown(shutdownCtx); err != nil {
			// Out of time: the connections still open (a long tool call, a
			// stateful stream) are closed, so that no handler outlives the
			// pool and the store closed next.
			errs = append(errs, err, l.srv.Close())
		}
	}
	return errors.Join(errs...)
}

// closePool stops every upstream process and its children.
func closePool(pool *upstream.Pool, log *zap.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := pool.Close(ctx); err != nil {
		log.Warn("upstream processes were killed at the end of the shutdown time", zap.Error(err))
	}
}

// importOriginalState migrates the original system: when the config file
// carries its configurations, projects, users, keys or plugins and the store is
// empty, they are imported once. The log gets counts, never keys.
func importOriginalState(ctx context.Context, a *app, path string, log *zap.Logger) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read config file: %w", err)
	}
	res, imported, err := a.services.System.ImportEnkryptIfEmpty(ctx, data)
	if err != nil {
		return fmt.Errorf("import the original system's state from %s: %w", path, err)
	}
	if imported {
		n := res.Counts
		log.Info("imported the original system's state from the config file", zap.String("config_path", path),
			zap.Int("configs", n.Configs), zap.Int("servers", n.Servers), zap.Int("projects", n.Projects),
			zap.Int("users", n.Users), zap.Int("memberships", n.Memberships), zap.Int("api_keys", n.APIKeys),
			zap.Int("settings", n.Settings), zap.Strings("notes", res.Notes))
	}
	return nil
}
