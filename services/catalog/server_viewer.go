package catalog

import (
	"context"
	"strings"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services/roles"
)

// A viewer reads everything and sees every secret masked, always: besides
// what is masked for everyone (env values, oauth_config, settings), the
// credentials a server's args carry. Viewers cannot export or back up (those
// are writes), so no other answer carries a secret to them.

// forReader returns srv (already masked for everyone) as the actor of ctx
// may read it; the stored slices are never changed (cached servers share
// them).
func forReader(ctx context.Context, srv models.Server) models.Server {
	if roles.MasksSecrets(ctx) {
		srv.Args = maskArgs(srv.Args)
	}
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
// named like a secret (--api-key=v, or --token v) and the credentials of a
// URL.
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
			out[i] = sealing.Mask(a)
		case isFlag && hasValue && sealing.SecretName(flag):
			out[i] = flag + "=" + sealing.Mask(value)
		default:
			out[i], _ = sealing.MaskURL(a)
		}
		secretNext = isFlag && !hasValue && sealing.SecretName(a)
	}
	return out
}
