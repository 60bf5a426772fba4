package controllers

import (
	"errors"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/internal/actor"
	"github.com/securemcp/gateway/middleware"
	"github.com/securemcp/gateway/services"
)

// RouteAccess classifies every authenticated route by the access it needs;
// which role has which access is the services' rule (services.Permits). A
// test fails when a route is missing, and a route missing here is refused to
// every role but admin. Reads sent as POST (searches, validation) are reads;
// exports and backups write a file and so are writes, which also keeps the
// secrets such files hold from viewers.
var RouteAccess = map[string]services.Access{
	"GET /metrics": services.AccessRead,

	"GET /api/v1/admin-keys":               services.AccessAdmin,
	"POST /api/v1/admin-keys":              services.AccessAdmin,
	"GET /api/v1/admin-keys/:admin_key":    services.AccessAdmin,
	"DELETE /api/v1/admin-keys/:admin_key": services.AccessAdmin,

	"GET /api/v1/settings":                   services.AccessRead,
	"GET /api/v1/settings/enkrypt-api-key":   services.AccessRead,
	"PUT /api/v1/settings/enkrypt-api-key":   services.AccessAdmin,
	"PUT /api/v1/settings/telemetry":         services.AccessAdmin,
	"GET /api/v1/system/health":              services.AccessRead,
	"POST /api/v1/system/backup":             services.AccessWrite,
	"POST /api/v1/system/restore":            services.AccessAdmin,
	"POST /api/v1/system/reset":              services.AccessAdmin,
	"GET /api/v1/gateway/status":             services.AccessRead,
	"GET /api/v1/api-keys":                   services.AccessRead,
	"GET /api/v1/api-keys/:api_key":          services.AccessRead,
	"POST /api/v1/api-keys/rotate":           services.AccessWrite,
	"DELETE /api/v1/api-keys/:api_key":       services.AccessWrite,
	"POST /api/v1/api-keys/:api_key/disable": services.AccessWrite,
	"POST /api/v1/api-keys/:api_key/enable":  services.AccessWrite,

	"GET /api/v1/configs":                                           services.AccessRead,
	"POST /api/v1/configs":                                          services.AccessWrite,
	"POST /api/v1/configs/copy":                                     services.AccessWrite,
	"POST /api/v1/configs/import":                                   services.AccessWrite,
	"POST /api/v1/configs/search":                                   services.AccessRead,
	"GET /api/v1/configs/:config":                                   services.AccessRead,
	"DELETE /api/v1/configs/:config":                                services.AccessWrite,
	"PUT /api/v1/configs/:config/rename":                            services.AccessWrite,
	"GET /api/v1/configs/:config/projects":                          services.AccessRead,
	"POST /api/v1/configs/:config/validate":                         services.AccessRead,
	"POST /api/v1/configs/:config/export":                           services.AccessWrite,
	"GET /api/v1/configs/:config/servers":                           services.AccessRead,
	"POST /api/v1/configs/:config/servers":                          services.AccessWrite,
	"DELETE /api/v1/configs/:config/servers":                        services.AccessWrite,
	"GET /api/v1/configs/:config/servers/:server":                   services.AccessRead,
	"PUT /api/v1/configs/:config/servers/:server":                   services.AccessWrite,
	"DELETE /api/v1/configs/:config/servers/:server":                services.AccessWrite,
	"PUT /api/v1/configs/:config/servers/:server/input-guardrails":  services.AccessWrite,
	"PUT /api/v1/configs/:config/servers/:server/output-guardrails": services.AccessWrite,
	"PUT /api/v1/configs/:config/servers/:server/guardrails":        services.AccessWrite,
	"POST /api/v1/configs/:config/servers/:server/tools/approve":    services.AccessWrite,
	"POST /api/v1/configs/:config/servers/:server/discover":         services.AccessWrite,

	"GET /api/v1/projects":                           services.AccessRead,
	"POST /api/v1/projects":                          services.AccessWrite,
	"POST /api/v1/projects/search":                   services.AccessRead,
	"GET /api/v1/projects/:project":                  services.AccessRead,
	"DELETE /api/v1/projects/:project":               services.AccessWrite,
	"POST /api/v1/projects/:project/assign-config":   services.AccessWrite,
	"POST /api/v1/projects/:project/unassign-config": services.AccessWrite,
	"GET /api/v1/projects/:project/config":           services.AccessRead,
	"GET /api/v1/projects/:project/users":            services.AccessRead,
	"POST /api/v1/projects/:project/users":           services.AccessWrite,
	"DELETE /api/v1/projects/:project/users":         services.AccessWrite,
	"DELETE /api/v1/projects/:project/users/:user":   services.AccessWrite,
	"POST /api/v1/projects/:project/export":          services.AccessWrite,

	"GET /api/v1/users":                   services.AccessRead,
	"POST /api/v1/users":                  services.AccessWrite,
	"POST /api/v1/users/search":           services.AccessRead,
	"GET /api/v1/users/:user":             services.AccessRead,
	"PUT /api/v1/users/:user":             services.AccessWrite,
	"DELETE /api/v1/users/:user":          services.AccessWrite,
	"GET /api/v1/users/:user/projects":    services.AccessRead,
	"POST /api/v1/users/:user/api-keys":   services.AccessWrite,
	"GET /api/v1/users/:user/api-keys":    services.AccessRead,
	"DELETE /api/v1/users/:user/api-keys": services.AccessWrite,
}

// accessOf is the access a request's route needs; an unclassified route
// needs the most.
func accessOf(c *gin.Context) services.Access {
	if a, ok := RouteAccess[middleware.RouteOf(c)]; ok {
		return a
	}
	return services.AccessAdmin
}

// authorize refuses, with 403, a request whose credential's role does not
// permit its route. It runs after the admin authentication, which puts the
// actor in the request; a request without one is refused.
func authorize(w errorWriter) gin.HandlerFunc {
	return func(c *gin.Context) {
		a, _ := actor.From(c.Request.Context())
		if err := services.Authorize(a, accessOf(c)); err != nil {
			w.fail(c, err)
			c.Abort()
			return
		}
		c.Next()
	}
}

// namedAdminKeyCheck admits named admin keys: a token with the admin key
// prefix is verified by the service (a store lookup); anything else is
// refused without one. A failure of the store is answered 500, and is not
// counted against the client.
func namedAdminKeyCheck(w errorWriter, svc *services.AdminKeyService) middleware.NamedKeyCheck {
	return func(c *gin.Context, token string) (string, bool) {
		if !services.LooksLikeAdminKey(token) {
			return "invalid admin API key", false
		}
		a, err := svc.Verify(c.Request.Context(), token)
		switch kind := services.KindOf(err); {
		case err == nil:
			middleware.SetActor(c, a)
			return "", true
		case kind == services.KindUnauthorized:
			var e *services.Error
			errors.As(err, &e)
			return e.Message, false
		default:
			w.fail(c, err)
			c.Abort()
			return "", false
		}
	}
}
