package main

import (
	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/controllers"
	"github.com/securemcp/gateway/internal/actor"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/roles"
	"github.com/securemcp/gateway/services/trail"
)

// writeActions are the actions of the management writes, as the API's route
// table classifies them: a command naming one of them is a write.
var writeActions = func() map[string]bool {
	out := map[string]bool{}
	for route, action := range controllers.Actions {
		if controllers.RouteAccess[route] != roles.AccessRead {
			out[action] = true
		}
	}
	return out
}()

// entityFlags name the entity a command is about, the innermost last, as the
// API's paths name it.
var entityFlags = []struct{ kind, name, id string }{
	{"config", "config-name", "config-id"}, {"project", "project-name", "project-id"},
	{"user", "email", "user-id"}, {"server", "server-name", ""},
}

// recordRefusal records a write command the services refused (invalid, not
// found, conflict, …) or failed, as the API records a refused write: the
// action, the entity its flags name, the CLI user, the run's request id, and
// the error's category. Reads are not recorded.
func (c *call) recordRefusal(err error) {
	action := actor.ActionFrom(c.ctx)
	if !writeActions[action] {
		return
	}
	who, _ := actor.From(c.ctx)
	kind := errs.KindOf(err)
	outcome, reason := audit.OutcomeRefused, kind.String()
	if kind == errs.KindInternal || kind == errs.KindUnavailable || kind == errs.KindTimeout {
		outcome, reason = audit.OutcomeError, kind.FaultCode()
	}
	c.svc.Audit.RecordRefusal(trail.Refusal{Actor: who, Action: action, Entity: c.flagEntity(), Outcome: outcome, Reason: reason})
}

// flagEntity is the entity the command's flags name: an id flag as its id, a
// name flag as its name.
func (c *call) flagEntity() audit.Entity {
	var e audit.Entity
	for _, f := range entityFlags {
		switch {
		case f.id != "" && c.cmd.Flags().Lookup(f.id) != nil && c.changed(f.id):
			e = audit.Entity{Kind: f.kind, ID: c.str(f.id)}
		case c.cmd.Flags().Lookup(f.name) != nil && c.changed(f.name):
			e = audit.Entity{Kind: f.kind, Name: c.str(f.name)}
		}
	}
	return e
}
