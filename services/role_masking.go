package services

import (
	"context"
	"strings"

	"github.com/securemcp/gateway/internal/actor"
	"github.com/securemcp/gateway/models"
)

// A viewer reads everything and sees every secret masked, always: besides
// what is masked for everyone (settings, oauth_config), a server's whole env
// (its values are API keys and tokens more often than not) and the
// credentials its args carry. Viewers cannot export or back up (those are
// writes), so no other answer carries a secret to them.

// viewerMasks reports whether the actor of ctx is a viewer. Callers without
// an actor are the local shells (the CLI), which see what an admin sees.
func viewerMasks(ctx context.Context) bool {
	a, ok := actor.From(ctx)
	return ok && a.Role == actor.RoleViewer
}

// forReader returns srv as the actor of ctx may read it; the stored maps are
// never changed (cached servers share them).
func forReader(ctx context.Context, srv models.Server) models.Server {
	if !viewerMasks(ctx) {
		return srv
	}
	if srv.Env != nil {
		env := make(map[string]string, len(srv.Env))
		for k, v := range srv.Env {
			env[k] = maskSecret(v)
		}
		srv.Env = env
	}
	srv.Args = maskArgs(srv.Args)
	return srv
}

// forReaders is forReader over a listing, in a new slice.
func forReaders(ctx context.Context, servers []models.Server) []models.Server {
	if !viewerMasks(ctx) {
		return servers
	}
	out := make([]models.Server, len(servers))
	for i, srv := range servers {
		out[i] = forReader(ctx, srv)
	}
	return out
}

// maskArgs masks the credentials of a command line: the value of a flag
// named like a secret (--api-key=v, or --token v), an authorization value
// and the credentials of a URL.
func maskArgs(args []string) []string {
	if args == nil {
		return nil
	}
	out := make([]string, len(args))
	secretNext := false
	for i, a := range args {
		flag, value, hasValue := strings.Cut(a, "=")
		isFlag := strings.HasPrefix(a, "-")
		switch {
		case secretNext && !isFlag:
			out[i] = maskSecret(a)
		case isFlag && hasValue && secretField(flag):
			out[i] = flag + "=" + maskSecret(value)
		default:
			masked, _ := maskValue(a, false).(string)
			out[i] = masked
		}
		secretNext = isFlag && !hasValue && secretField(a)
	}
	return out
}
