package controllers

import (
	"errors"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/internal/actor"
	"github.com/securemcp/gateway/middleware"
	"github.com/securemcp/gateway/services/access"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/roles"
)

// RouteAccess classifies every authenticated route by the access it needs;
// which role has which access is the rule of services/roles (roles.Permits). A
// test fails when a route is missing, and a route missing here is refused to
// every role but admin. Reads sent as POST (searches, validation) are reads;
// exports and backups write a file and so are writes, which also keeps the
// secrets such files hold from viewers.
var RouteAccess = map[string]roles.Access{
	"GET /metrics": roles.AccessRead,

	"GET /api/v1/admin-keys":               roles.AccessAdmin,
	"POST /api/v1/admin-keys":              roles.AccessAdmin,
	"GET /api/v1/admin-keys/:admin_key":    roles.AccessAdmin,
	"DELETE /api/v1/admin-keys/:admin_key": roles.AccessAdmin,

	"GET /api/v1/settings":                   roles.AccessRead,
	"GET /api/v1/settings/enkrypt-api-key":   roles.AccessRead,
	"PUT /api/v1/settings/enkrypt-api-key":   roles.AccessAdmin,
	"PUT /api/v1/settings/telemetry":         roles.AccessAdmin,
	"GET /api/v1/system/health":              roles.AccessRead,
	"POST /api/v1/system/backup":             roles.AccessWrite,
	"POST /api/v1/system/restore":            roles.AccessAdmin,
	"POST /api/v1/system/reset":              roles.AccessAdmin,
	"GET /api/v1/gateway/status":             roles.AccessRead,
	"GET /api/v1/audit":                      roles.AccessRead,
	"GET /api/v1/api-keys":                   roles.AccessRead,
	"GET /api/v1/api-keys/:api_key":          roles.AccessRead,
	"POST /api/v1/api-keys/rotate":           roles.AccessWrite,
	"DELETE /api/v1/api-keys/:api_key":       roles.AccessWrite,
	"POST /api/v1/api-keys/:api_key/disable": roles.AccessWrite,
	"POST /api/v1/api-keys/:api_key/enable":  roles.AccessWrite,

	"GET /api/v1/configs":                                           roles.AccessRead,
	"POST /api/v1/configs":                                          roles.AccessWrite,
	"POST /api/v1/configs/copy":                                     roles.AccessWrite,
	"POST /api/v1/configs/import":                                   roles.AccessWrite,
	"POST /api/v1/configs/search":                                   roles.AccessRead,
	"GET /api/v1/configs/:config":                                   roles.AccessRead,
	"DELETE /api/v1/configs/:config":                                roles.AccessWrite,
	"PUT /api/v1/configs/:config/rename":                            roles.AccessWrite,
	"GET /api/v1/configs/:config/projects":                          roles.AccessRead,
	"POST /api/v1/configs/:config/validate":                         roles.AccessRead,
	"POST /api/v1/configs/:config/export":                           roles.AccessWrite,
	"GET /api/v1/configs/:config/servers":                           roles.AccessRead,
	"POST /api/v1/configs/:config/servers":                          roles.AccessWrite,
	"DELETE /api/v1/configs/:config/servers":                        roles.AccessWrite,
	"GET /api/v1/configs/:config/servers/:server":                   roles.AccessRead,
	"PUT /api/v1/configs/:config/servers/:server":                   roles.AccessWrite,
	"DELETE /api/v1/configs/:config/servers/:server":                roles.AccessWrite,
	"PUT /api/v1/configs/:config/servers/:server/input-guardrails":  roles.AccessWrite,
	"PUT /api/v1/configs/:config/servers/:server/output-guardrails": roles.AccessWrite,
	"PUT /api/v1/configs/:config/servers/:server/guardrails":        roles.AccessWrite,
	"POST /api/v1/configs/:config/servers/:server/tools/approve":    roles.AccessWrite,
	"POST /api/v1/configs/:config/servers/:server/discover":         roles.AccessWrite,

	"GET /api/v1/projects":                           roles.AccessRead,
	"POST /api/v1/projects":                          roles.AccessWrite,
	"POST /api/v1/projects/search":                   roles.AccessRead,
	"GET /api/v1/projects/:project":                  roles.AccessRead,
	"DELETE /api/v1/projects/:project":               roles.AccessWrite,
	"POST /api/v1/projects/:project/assign-config":   roles.AccessWrite,
	"POST /api/v1/projects/:project/unassign-config": roles.AccessWrite,
	"GET /api/v1/projects/:project/config":           roles.AccessRead,
	"GET /api/v1/projects/:project/users":            roles.AccessRead,
	"POST /api/v1/projects/:project/users":           roles.AccessWrite,
	"DELETE /api/v1/projects/:project/users":         roles.AccessWrite,
	"DELETE /api/v1/projects/:project/users/:user":   roles.AccessWrite,
	"POST /api/v1/projects/:project/export":          roles.AccessWrite,

	"GET /api/v1/users":                   roles.AccessRead,
	"POST /api/v1/users":                  roles.AccessWrite,
	"POST /api/v1/users/search":           roles.AccessRead,
	"GET /api/v1/users/:user":             roles.AccessRead,
	"PUT /api/v1/users/:user":             roles.AccessWrite,
	"DELETE /api/v1/users/:user":          roles.AccessWrite,
	"GET /api/v1/users/:user/projects":    roles.AccessRead,
	"POST /api/v1/users/:user/api-keys":   roles.AccessWrite,
	"GET /api/v1/users/:user/api-keys":    roles.AccessRead,
	"DELETE /api/v1/users/:user/api-keys": roles.AccessWrite,
}

// accessOf is the access a request's route needs; an unclassified route
// needs the most.
func accessOf(c *gin.Context) roles.Access {
	if a, ok := RouteAccess[middleware.RouteOf(c)]; ok {
		return a
	}
	return roles.AccessAdmin
}

// authorize refuses, with 403, a request whose credential's role does not
// permit its route. It runs after the admin authentication, which puts the
// actor in the request; a request without one is refused.
func authorize(w errorWriter) gin.HandlerFunc {
	return func(c *gin.Context) {
		a, _ := actor.From(c.Request.Context())
		if err := roles.Authorize(a, accessOf(c)); err != nil {
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
func namedAdminKeyCheck(w errorWriter, svc *access.AdminKeyService) middleware.NamedKeyCheck {
	return func(c *gin.Context, token string) (string, bool) {
		if !access.LooksLikeAdminKey(token) {
			return "invalid admin API key", false
		}
		a, err := svc.Verify(c.Request.Context(), token)
		switch kind := errs.KindOf(err); {
		case err == nil:
			middleware.SetActor(c, a)
			return "", true
		case kind == errs.KindUnauthorized:
			if a.ID != "" {
				c.Set(refusedActorKey, a) // an expired key: the audit trail names it
			}
			var e *errs.Error
			errors.As(err, &e)
			return e.Message, false
		default:
			w.fail(c, err)
			c.Abort()
			return "", false
		}
	}
}
