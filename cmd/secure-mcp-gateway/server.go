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

func newStartAPICmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "start-api",
		Short: "Serve the management API",
		Example: example("system start-api", "system start-api --host 127.0.0.1 --port 8080 --reload",
			"system start-api --database-url postgres://smg@db:5432/smg --metrics"),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			reload, _ := cmd.Flags().GetBool("reload")
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runServer(ctx, cmd, reload)
		},
	}
	cmd.Flags().String("host", config.DefaultHost, "listen address (env SMG_HOST)")
	cmd.Flags().Int("port", config.DefaultPort, "listen port (env SMG_PORT)")
	boolFlag(cmd, "metrics", "serve Prometheus metrics at /metrics, admin key required (env SMG_METRICS)")
	boolFlag(cmd, "reload", "watch the config file and apply admin key and log level changes live")
	return cmd
}

// runServer serves until ctx ends, then drains in-flight requests.
func runServer(ctx context.Context, cmd *cobra.Command, reload bool) error {
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
	var m *metrics.Metrics
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
	startedAt := time.Now().UTC()
	if err := importOriginalState(ctx, a, path, log); err != nil {
		return err
	}
	if reload {
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

	// The management API alone runs no gateway; its pool serves discoveries.
	pool, err := upstream.New(upstream.Options{Logger: log.Named("upstream")})
	if err != nil {
		return err
	}
	defer func() { _ = pool.Close(context.Background()) }()
	gin.SetMode(gin.ReleaseMode)
	handler := controllers.NewHandler(controllers.Deps{
		Gateway: gateway.NewAdmin(pool, a.services.Configs, gateway.Info{}),
		Log:     log, AdminKeys: live, CORSOrigins: settings.CORSOrigins, MaxBodyBytes: settings.MaxBodyBytes,
		Version: config.BuildVersion(), ConfigPath: path, Services: a.services, Docs: docs.Register, Metrics: m,
		StartedAt: startedAt, TrustedProxies: settings.TrustedProxies,
	})
	maxConns, fileLimit, lowered := connlimit.FitFileLimit(settings.MaxConnections)
	if lowered {
		log.Warn("max_connections lowered to fit the open file limit; raise the limit (ulimit -n) to allow more",
			zap.Int("max_connections", settings.MaxConnections), zap.Int("allowed", maxConns), zap.Uint64("open_file_limit", fileLimit))
	}
	conns := connlimit.New(maxConns)
	srv := &http.Server{
		Addr: settings.Addr(), Handler: handler, MaxHeaderBytes: maxHeaderBytes, ConnState: conns.ConnState,
		ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout, WriteTimeout: writeTimeout, IdleTimeout: idleTimeout,
	}
	// Bind first, so that "serving" is logged only once it is true, and a
	// port in use is said plainly.
	listener, err := net.Listen("tcp", settings.Addr())
	if err != nil {
		return fmt.Errorf("listen on %s (is another server using this port?): %w", settings.Addr(), err)
	}
	releasePIDFile, err := claimPIDFile(settings, log)
	if err != nil {
		_ = listener.Close()
		return err
	}
	defer releasePIDFile()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(conns.Listener(listener)) }()
	log.Info("serving the management API", zap.String("addr", listener.Addr().String()), zap.String("store", a.store.Backend()),
		zap.String("config_path", path), zap.String("data_dir", settings.DataDir), zap.Int("max_connections", maxConns))
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down; finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
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
