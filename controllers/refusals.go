package controllers

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/internal/actor"
	"github.com/securemcp/gateway/middleware"
	"github.com/securemcp/gateway/services/roles"
	"github.com/securemcp/gateway/services/trail"
)

// RefusalRecorder records refused and failed requests in the audit trail
// (trail.AuditService.RecordRefusal: bounded, never waits).
type RefusalRecorder interface {
	RecordRefusal(r trail.Refusal)
}

// refusedActorKey keeps, in a request refused at authentication, the actor
// of the key presented when the key exists (an expired admin key).
const refusedActorKey = "smg.refused_actor"

// statusClientClosed is not recorded: the client left, nothing was refused.
const statusClientClosed = statusClientClosedRequest

// recordRefusals records, once the request is answered, what the audit
// trail keeps of requests that changed nothing: every refusal of a
// credential (401, 429) or of a role (403), on any route, so that probing
// shows; and every other refusal (4xx: invalid, not found, conflict, too
// large) or failure (5xx) of a write. Successful writes are recorded by the
// store in their own transaction; successful reads and other failed reads
// are not recorded. The record names the action as its success would, the
// entity the path names, the actor as far as known, the client address and
// the request id, with the status and the error category; never the
// credential, the body or the answer's text.
func recordRefusals(rec RefusalRecorder) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		status := c.Writer.Status()
		if status < http.StatusBadRequest || status == statusClientClosed {
			return
		}
		credential := status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusTooManyRequests
		if !credential && accessOf(c) == roles.AccessRead {
			return
		}
		outcome := audit.OutcomeRefused
		if status >= http.StatusInternalServerError {
			outcome = audit.OutcomeError
		}
		rec.RecordRefusal(trail.Refusal{Actor: refusalActor(c), Action: actionOf(c), Entity: pathEntity(c),
			Outcome: outcome, Status: status, Reason: middleware.ErrorCategory(c)})
	}
}

// refusalActor is who asked: the authenticated actor, the refused key's
// when it exists, else nobody known; with the address and request id.
func refusalActor(c *gin.Context) actor.Actor {
	a, ok := actor.From(c.Request.Context())
	if !ok {
		if v, found := c.Get(refusedActorKey); found {
			a, _ = v.(actor.Actor)
		}
	}
	a.Addr, a.RequestID = c.ClientIP(), middleware.RequestIDOf(c)
	return a
}

// actionOf is the route's action (the metrics route, outside the API, is
// system.metrics); a route without one is named by its method, so that no
// refusal goes unrecorded.
func actionOf(c *gin.Context) string {
	route := middleware.RouteOf(c)
	if a, ok := Actions[route]; ok {
		return a
	}
	if route == "GET /metrics" {
		return "system.metrics"
	}
	return "http." + strings.ToLower(c.Request.Method)
}

// pathParams are the path parameters that name entities, the innermost last,
// with the kind records give them.
var pathParams = []struct{ param, kind string }{
	{"config", "config"}, {"project", "project"}, {"user", "user"}, {"server", "server"},
	{"api_key", "api_key"}, {"admin_key", "admin_key"},
}

// secretParams may carry a secret (a route accepts a key's secret in place
// of its id): only a key id, a UUID, is kept from them.
var secretParams = map[string]bool{"api_key": true, "admin_key": true}

// pathEntity is the entity the route's path names (the innermost
// identifier): a UUID as its id, anything else as its name, as the client
// gave it.
func pathEntity(c *gin.Context) audit.Entity {
	var e audit.Entity
	for _, p := range pathParams {
		v := c.Param(p.param)
		if v == "" {
			continue
		}
		e = audit.Entity{Kind: p.kind}
		switch {
		case isUUID(v):
			e.ID = v
		case !secretParams[p.param]:
			e.Name = v
		}
	}
	return e
}

func isUUID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && len(s) == 36 && strings.EqualFold(u.String(), s)
}
