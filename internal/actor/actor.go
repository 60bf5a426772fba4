// Package actor names who acts on the gateway: the admin key, named admin key
// or CLI user behind a management write, or the gateway key (with its user and
// project) behind a tool call. The shells (HTTP middleware, CLI) put an Actor
// in the request's context; services read it to authorise by role and to
// attribute audit records, without depending on either shell.
package actor

import "context"

// Kind says which credential acted.
type Kind string

const (
	// Root is the bootstrap admin key from the configuration file.
	Root Kind = "root"
	// AdminKey is a named admin key created through the API or CLI.
	AdminKey Kind = "admin_key"
	// CLI is a person running the command line on the gateway's machine.
	CLI Kind = "cli"
	// GatewayKey is a user's API key presented to the MCP gateway.
	GatewayKey Kind = "gateway_key"
	// System is the gateway itself (first-start import, migrations, retention).
	System Kind = "system"
)

// Role bounds what an admin credential may do.
type Role string

const (
	// RoleAdmin may do everything.
	RoleAdmin Role = "admin"
	// RoleOperator may do everything but manage admin keys, settings, restore and reset.
	RoleOperator Role = "operator"
	// RoleViewer may only read, and always sees secrets masked.
	RoleViewer Role = "viewer"
)

// Actor is one acting identity. ID is the key id (never the key itself) or
// the CLI user's name; UserID and ProjectID are set for gateway keys.
type Actor struct {
	Kind      Kind   `json:"kind"`
	ID        string `json:"id,omitempty"`
	Name      string `json:"name,omitempty"`
	Role      Role   `json:"role,omitempty"`
	UserID    string `json:"user_id,omitempty"`
	ProjectID string `json:"project_id,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	// Addr is the client's network address (trusted proxies resolved),
	// empty for the command line.
	Addr string `json:"addr,omitempty"`
}

type contextKey struct{}

// With returns a context that carries a.
func With(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, contextKey{}, a)
}

// From returns the actor of ctx, and false when none was set.
func From(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(contextKey{}).(Actor)
	return a, ok
}
