package controllers_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/securemcp/gateway/controllers"
	"github.com/securemcp/gateway/metrics"
)

// publicRoutes need no admin credential, and so no role.
var publicRoutes = map[string]bool{"GET /health": true, "GET /readyz": true}

// Every authenticated route is classified by the access it needs, and the
// table names no route that does not exist: a new route fails here until
// someone decides who may use it.
func TestEveryRouteIsClassified(t *testing.T) {
	h := newHarnessWith(t, nil, func(d *controllers.Deps) { d.Metrics = metrics.New() })
	seen := map[string]bool{}
	for _, r := range h.routes {
		route := r.Method + " " + r.Path
		seen[route] = true
		if publicRoutes[route] {
			continue
		}
		_, ok := controllers.RouteAccess[route]
		assert.True(t, ok, "route %s is not classified in controllers.RouteAccess", route)
	}
	for route := range controllers.RouteAccess {
		assert.True(t, seen[route], "controllers.RouteAccess names %s, which is no route", route)
	}
}
