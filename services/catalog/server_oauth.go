package catalog

import (
	"github.com/securemcp/gateway/models"

	"github.com/securemcp/gateway/services/secretmask"
)

// A server's oauth_config holds the credentials the gateway presents to it
// (OAUTH_CLIENT_SECRET, tokens in OAUTH_CUSTOM_HEADERS, …). It is stored and
// backed up as given; every answer to a client shows it masked as settings
// are, and a masked value sent back in an update keeps the stored one, so
// that a client may edit what it read without knowing the secrets.

// oauthSecretMembers are members of an oauth_config that are credentials
// although their names carry none of secretMarkers (compared as SecretField
// does): the PKCE code verifier, which the original system masks too.
var oauthSecretMembers = map[string]bool{"oauthcodeverifier": true}

// maskOAuth returns a masked copy of an oauth_config (nil for none). The
// stored object is never changed: cached servers share it.
func maskOAuth(cfg models.JSONObject) models.JSONObject {
	if cfg == nil {
		return nil
	}
	out := make(models.JSONObject, len(cfg))
	for k, v := range cfg {
		out[k] = secretmask.MaskValue(v, secretmask.SecretField(k) || oauthSecretMembers[secretmask.CompactName(k)])
	}
	return out
}

// publicServer is a server as clients see it: its oauth_config masked.
func publicServer(srv models.Server) models.Server {
	srv.OAuthConfig = maskOAuth(srv.OAuthConfig)
	return srv
}

// PublicServers masks the servers of a listing, in a new slice.
func PublicServers(servers []models.Server) []models.Server {
	out := make([]models.Server, len(servers))
	for i, srv := range servers {
		out[i] = publicServer(srv)
	}
	return out
}

// keepMaskedSecrets returns the oauth_config a client sent with every value
// that is exactly what a response showed of the stored one (masked, so not
// the value itself) replaced by the stored value. Any other value, a new
// secret included, is taken as sent.
func keepMaskedSecrets(sent, stored models.JSONObject) models.JSONObject {
	if sent == nil || stored == nil {
		return sent
	}
	merged, _ := unmask(map[string]any(sent), map[string]any(stored), map[string]any(maskOAuth(stored))).(map[string]any)
	return merged
}

// unmask walks what was sent beside the stored value and its masked form.
func unmask(sent, stored, masked any) any {
	switch s := sent.(type) {
	case string:
		if m, ok := masked.(string); ok && s == m {
			if st, ok := stored.(string); ok && st != m {
				return st
			}
		}
		return s
	case map[string]any:
		st, _ := stored.(map[string]any)
		m, _ := masked.(map[string]any)
		out := make(map[string]any, len(s))
		for k, v := range s {
			out[k] = unmask(v, st[k], m[k])
		}
		return out
	case []any:
		st, _ := stored.([]any)
		m, _ := masked.([]any)
		out := make([]any, len(s))
		for i, v := range s {
			var sv, mv any
			if i < len(st) && i < len(m) {
				sv, mv = st[i], m[i]
			}
			out[i] = unmask(v, sv, mv)
		}
		return out
	}
	return sent
}
