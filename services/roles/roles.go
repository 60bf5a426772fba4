// Package roles is the rule of what each role of an admin credential may do:
// the shells classify their operations by the access they need, and ask here.
package roles

import (
	"context"

	"github.com/securemcp/gateway/internal/actor"
	"github.com/securemcp/gateway/services/errs"
)

// Access is what an operation needs of the role of the admin credential that
// asks for it. The shells classify their operations (the API by route); the
// rule of which role reaches which access lives here only.
type Access int

const (
	// AccessRead is a read of the gateway's state, secrets masked: every role.
	AccessRead Access = iota
	// AccessWrite changes configurations, projects, users or their keys, or
	// writes a file (exports, backups): operators and admins.
	AccessWrite
	// AccessAdmin manages admin keys or settings, restores or resets the
	// whole store: admins only.
	AccessAdmin
)

func (a Access) String() string {
	switch a {
	case AccessRead:
		return "read"
	case AccessWrite:
		return "write"
	default:
		return "admin"
	}
}

// Roles lists the roles of admin credentials, from the most to the least powerful.
var Roles = []actor.Role{actor.RoleAdmin, actor.RoleOperator, actor.RoleViewer}

// Permits reports whether role may perform an operation that needs access.
// An unknown role permits nothing.
func Permits(role actor.Role, access Access) bool {
	switch role {
	case actor.RoleAdmin:
		return true
	case actor.RoleOperator:
		return access <= AccessWrite
	case actor.RoleViewer:
		return access == AccessRead
	}
	return false
}

// Authorize refuses, with a KindForbidden error, an actor whose role does not
// permit access.
func Authorize(a actor.Actor, access Access) error {
	if Permits(a.Role, access) {
		return nil
	}
	role := string(a.Role)
	if role == "" {
		role = "none"
	}
	return &errs.Error{Kind: errs.KindForbidden, Message: "the role " + role + " of this admin key does not permit this " + access.String() + " operation"}
}

// ParseRole reads a role name.
func ParseRole(s string) (actor.Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", errs.Field("role", s, "must be one of admin, operator, viewer")
}

// MasksSecrets reports whether the actor of ctx sees every secret masked:
// the viewer role. Callers without an actor are the local shells (the CLI),
// which see what an admin sees.
func MasksSecrets(ctx context.Context) bool {
	a, ok := actor.From(ctx)
	return ok && a.Role == actor.RoleViewer
}
