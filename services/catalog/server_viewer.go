package catalog

import (
	"context"
	"strings"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/roles"
	"github.com/securemcp/gateway/services/secretmask"
)

// A viewer reads everything and sees every secret masked, always: besides
// what is masked for everyone (settings, oauth_config), a server's whole env
// (its values are API keys and tokens more often than not) and the
// credentials its args carry. Viewers cannot export or back up (those are
// writes), so no other answer carries a secret to them.

// forReader returns srv as the actor of ctx may read it; the stored maps are
// never changed (cached servers share them).
func forReader(ctx context.Context, srv models.Server) models.Server {
	if !roles.MasksSecrets(ctx) {
		return srv
	}
	if srv.Env != nil {
		env := make(map[string]string, len(srv.Env))
		for k, v := range srv.Env {
			env[k] = secretmask.MaskSecret(v)
		}
		srv.Env = env
	}
	srv.Args = maskArgs(srv.Args)
	return srv
}

// ForReaders is forReader over a listing, in a new slice.
func ForReaders(ctx context.Context, servers []models.Server) []models.Server {
	if !roles.MasksSecrets(ctx) {
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
			out[i] = secretmask.MaskSecret(a)
		case isFlag && hasValue && secretmask.SecretField(flag):
			out[i] = flag + "=" + secretmask.MaskSecret(value)
		default:
			masked, _ := secretmask.MaskValue(a, false).(string)
			out[i] = masked
		}
		secretNext = isFlag && !hasValue && secretmask.SecretField(a)
	}
	return out
}
