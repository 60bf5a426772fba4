package controllers

import (
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/metrics"
	"github.com/securemcp/gateway/middleware"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/entity"
)

// Deps is everything the router needs.
type Deps struct {
	Log          *zap.Logger
	AdminKeys    middleware.AdminKeySource
	CORSOrigins  []string
	MaxBodyBytes int64
	Version      string
	ConfigPath   string
	Services     *services.Services
	// Docs registers the documentation routes (/docs, /redoc, /openapi.json); optional.
	Docs func(*gin.Engine)
	// AuthLimiter throttles failed admin authentication per client address;
	// nil uses one with the default limits.
	AuthLimiter *middleware.AuthLimiter
	// TrustedProxies are the peers whose X-Forwarded-For gives the client
	// address (the throttle's and the log's); none by default: the client
	// address is then the TCP peer.
	TrustedProxies []netip.Prefix
	// Metrics, when set, records every request and serves GET /metrics (admin
	// key required); nil disables both.
	Metrics *metrics.Metrics
	// StartedAt is when the server started (health uptime); zero means now.
	StartedAt time.Time
	// Gateway reports on the MCP gateway's processes and discovers servers.
	Gateway GatewayAdmin
	// RequestTimeout and LongOperationTimeout bound the time of a request
	// and of one of LongRoutes; zero means middleware.RequestTimeout and
	// middleware.LongOperationTimeout.
	RequestTimeout, LongOperationTimeout time.Duration
	// ConcurrentListings bounds the whole lists written at once; zero means
	// ConcurrentListings().
	ConcurrentListings int
}

// LongRoutes are the operations on the whole store, which may take minutes
// at scale: they get middleware.LongOperationTimeout instead of
// middleware.RequestTimeout, and answer with their real outcome.
var LongRoutes = []string{
	"POST /api/v1/system/backup",
	"POST /api/v1/system/restore",
	"POST /api/v1/system/reset",
	"GET /api/v1/system/health",
	"POST /api/v1/configs/import",
	"POST /api/v1/projects/:project/export",
	// Starting a server may download it first (npx, uvx).
	"POST /api/v1/configs/:config/servers/:server/discover",
}

// ListRoutes are the lists written as they are read (streamList). Whole,
// they may take minutes at scale, as LongRoutes do; a page of at most
// services.ListBatch items is an ordinary request.
var ListRoutes = []string{
	"GET /api/v1/api-keys",
	"GET /api/v1/users",
	"GET /api/v1/users/:user/api-keys",
}

// isLong picks the requests that get the long time limit.
func isLong(c *gin.Context) bool {
	route := middleware.RouteOf(c)
	return slices.Contains(LongRoutes, route) || (slices.Contains(ListRoutes, route) && !smallPage(c))
}

// smallPage reports a ?limit= of at most one batch (what services.Listing
// reads in one query); a malformed one is refused later, by its handler.
func smallPage(c *gin.Context) bool {
	n, err := strconv.Atoi(c.Query("limit"))
	return err == nil && n > 0 && n <= entity.ListBatch
}

// NewHandler is the API as the server serves it: the router, with HEAD
// answered wherever GET is.
func NewHandler(d Deps) http.Handler { return middleware.HeadAsGet(NewRouter(d)) }

// NewRouter builds the engine with its middleware and every route.
//
//	@title						Secure MCP Gateway management API
//	@version					1.0
//	@description				Manage MCP configurations, projects, users and their gateway API keys.
//	@BasePath					/
//	@securityDefinitions.apikey	AdminKey
//	@in							header
//	@name						Authorization
//	@description				"Bearer <admin_apikey>"
func NewRouter(d Deps) *gin.Engine {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	// No redirects to "the same path" without its trailing slash: for a
	// DELETE, that is another resource (…/servers/ would become …/servers,
	// every server), and clients follow a 307 with the same method.
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.ContextWithFallback = true
	// The client address is the peer's, unless the peer is a trusted proxy:
	// then it is the last address of X-Forwarded-For that is not itself a
	// trusted proxy. X-Forwarded-For from anyone would let a client choose its
	// address, and so escape the authentication throttle. X-Real-IP is not
	// read: a proxy that does not set it would pass on the client's own.
	r.RemoteIPHeaders = []string{"X-Forwarded-For"}
	proxies := make([]string, len(d.TrustedProxies))
	for i, p := range d.TrustedProxies {
		proxies[i] = p.String()
	}
	_ = r.SetTrustedProxies(proxies) // parsed prefixes always parse again
	chain := []gin.HandlerFunc{middleware.RequestID(), middleware.SecurityHeaders(), middleware.Logger(d.Log)}
	if d.Metrics != nil {
		chain = append(chain, middleware.Metrics(d.Metrics))
	}
	r.Use(append(chain, middleware.Recovery(d.Log), middleware.CORS(d.CORSOrigins), middleware.BodyLimit(d.MaxBodyBytes))...)
	r.NoRoute(middleware.NoRoute)
	r.NoMethod(middleware.NoMethod)

	w := errorWriter{log: d.Log}
	health := &HealthController{errorWriter: w, data: models.HealthData{Version: d.Version, ConfigPath: d.ConfigPath}, svc: d.Services.System}
	r.GET("/health", health.Health)
	r.GET("/readyz", health.Ready)
	if d.Docs != nil {
		d.Docs(r)
	}

	limiter := d.AuthLimiter
	if limiter == nil {
		limiter = middleware.NewAuthLimiter(middleware.DefaultAuthFailures, middleware.DefaultAuthWindow, middleware.DefaultAuthMaxClients, time.Now)
	}
	auth := middleware.AdminAuth(d.AdminKeys, namedAdminKeyCheck(w, d.Services.AdminKeys), limiter)
	authorized := authorize(w)
	refusals := recordRefusals(d.Services.Audit)
	if d.Metrics != nil {
		r.GET("/metrics", refusals, auth, authorized, gin.WrapH(d.Metrics.Handler()))
	}
	requestTimeout := orDefault(d.RequestTimeout, middleware.RequestTimeout)
	api := r.Group("/api/v1", refusals, auth, authorized, nameAction, middleware.Deadlines(requestTimeout, orDefault(d.LongOperationTimeout, middleware.LongOperationTimeout), isLong))
	NewConfigController(w, d.Services.Configs).register(api)
	NewProjectController(w, d.Services.Projects).register(api)
	NewSystemController(w, d.Services.System, d.Version, startTime(d.StartedAt)).register(api)
	NewSettingsController(w, d.Services.Settings).register(api)
	lists := newListGate(d.ConcurrentListings)
	NewUserController(w, d.Services.Users, lists).register(api)
	NewAPIKeyController(w, d.Services.APIKeys, lists).register(api)
	NewGatewayController(w, d.Gateway).register(api)
	NewAdminKeyController(w, d.Services.AdminKeys).register(api)
	NewAuditController(w, d.Services.Audit).register(api)
	return r
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
