package controllers

import (
	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/middleware"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services"
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
}

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
	r.ContextWithFallback = true
	r.Use(middleware.RequestID(), middleware.Logger(d.Log), middleware.Recovery(d.Log),
		middleware.CORS(d.CORSOrigins), middleware.BodyLimit(d.MaxBodyBytes))
	r.NoRoute(middleware.NoRoute)
	r.NoMethod(middleware.NoMethod)

	health := &HealthController{data: models.HealthData{Version: d.Version, ConfigPath: d.ConfigPath}}
	r.GET("/health", health.Health)
	if d.Docs != nil {
		d.Docs(r)
	}

	api := r.Group("/api/v1", middleware.AdminAuth(d.AdminKeys))
	w := errorWriter{log: d.Log}
	NewConfigController(w, d.Services.Configs).register(api)
	return r
}
