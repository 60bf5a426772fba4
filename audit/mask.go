package audit

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	"github.com/securemcp/gateway/sealing"
)

// Masked is how a secret appears in a record: "****" and, for a secret of
// at least 12 characters, its last four, so that an admin can tell which
// one was set without the record ever holding it. Shorter secrets show
// nothing: four characters of eight would be half of it.
func Masked(secret string) string {
	r := []rune(secret)
	if len(r) < 12 {
		return "****"
	}
	return "****" + string(r[len(r)-4:])
}

// recordOnlyMarkers name credentials that records mask beyond the sealing
// rules (sealing.SecretName): hashes, which verification compares with,
// PKCE verifiers and short password names.
var recordOnlyMarkers = []string{"verifier", "hash", "pwd"}

// secretName reports member names whose whole value is secret: names with a
// marker, names ending in "key" (secret_key, enkrypt_api_key; not "key"
// alone, which labels a setting or a header), and containers whose every
// value is secret whatever its name: a server's environment and header maps.
func secretName(name string) bool {
	n := sealing.CompactName(name)
	switch {
	case n == "env" || n == "environment" || strings.HasSuffix(n, "envvars") || strings.HasSuffix(n, "headers"):
		return true
	case strings.HasSuffix(n, "url") || strings.HasSuffix(n, "uri") || strings.HasSuffix(n, "endpoint"):
		return false // token_url and the like are addresses; their credentials are masked as URLs
	case n != "key" && (strings.HasSuffix(n, "key") || strings.HasSuffix(n, "keys")):
		return true
	}
	return sealing.SecretName(name) || slices.ContainsFunc(recordOnlyMarkers, func(m string) bool { return strings.Contains(n, m) })
}

// tokenPrefixes start well-known credential formats, masked wherever they
// appear (a token passed as a bare server argument).
var tokenPrefixes = []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "gldt-",
	"xoxa-", "xoxb-", "xoxe-", "xoxp-", "xoxr-", "xoxs-", "sk-", "sk_live_", "rk_live_", "whsec_",
	"AKIA", "ASIA", "AIza", "GOCSPX-", "eyJ", "smg_", "npm_", "hf_", "SG.", "pypi-"}

// secretValue reports strings that are credentials whatever their member's
// name: HTTP authorization values, private keys, known token formats.
func secretValue(s string) bool {
	t := strings.TrimSpace(s)
	lower := strings.ToLower(t)
	if strings.HasPrefix(lower, "bearer ") || strings.HasPrefix(lower, "basic ") ||
		strings.Contains(t, "PRIVATE KEY") {
		return true
	}
	if len(t) < 16 || strings.ContainsAny(t, " \t\n") {
		return false
	}
	for _, p := range tokenPrefixes {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// maskString masks one string: whole when it is secret by position or by
// form, only the value of a secret-named assignment ("--token=…",
// "API_KEY=…"), only the credentials of a URL; otherwise it is kept.
func maskString(s string, secret bool) string {
	switch {
	case s == "":
		return s
	case secret || secretValue(s):
		return Masked(s)
	}
	// An assignment's name is one word: "Set MAX_TOKENS=100 …" in a
	// description is prose, not a credential.
	if i := strings.IndexByte(s, '='); i > 0 && !strings.ContainsAny(s[:i], " \t/") && secretName(s[:i]) {
		return s[:i+1] + Masked(s[i+1:])
	}
	if masked, ok := maskURL(s); ok {
		return masked
	}
	return s
}

// maskURL hides the credentials a URL carries: its user information and
// query parameters with secret names, replaced by "xxxxx" as the product's
// listings show them ("*" would be percent-encoded).
func maskURL(s string) (string, bool) {
	if !strings.Contains(s, "://") || !strings.ContainsAny(s, "@?") {
		return s, false
	}
	u, err := url.Parse(s)
	if err != nil {
		// Unreadable but URL-like: it may hide a credential where a
		// parser would have found one.
		return Masked(s), true
	}
	masked := false
	if u.User != nil {
		u.User = url.User("xxxxx")
		masked = true
	}
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			u.RawQuery = "xxxxx"
			return u.String(), true
		}
		for name, vals := range q {
			if secretName(name) || name == "sig" {
				for i := range vals {
					vals[i] = "xxxxx"
				}
				masked = true
			}
		}
		if masked {
			u.RawQuery = q.Encode()
		}
	}
	if !masked {
		return s, false
	}
	return u.String(), true
}

// secretFlag reports a command-line flag whose value follows it as the
// next argument: "--api-key", "-token", "--password".
func secretFlag(v any) bool {
	s, ok := v.(string)
	return ok && strings.HasPrefix(s, "-") && !strings.Contains(s, "=") && secretName(strings.TrimLeft(s, "-"))
}

// namedSecretPair reports objects naming a header, variable or setting in
// one member and holding its value in "value" ({"name": "X-API-Key",
// "value": …}, a stored setting {"Key": "enkrypt_api_key", "Value": …}).
func namedSecretPair[V any](obj map[string]V, asString func(V) (string, bool)) (string, bool) {
	var valueKey string
	for k := range obj {
		if sealing.CompactName(k) == "value" {
			valueKey = k
		}
	}
	if valueKey == "" {
		return "", false
	}
	for k, v := range obj {
		switch sealing.CompactName(k) {
		case "name", "key", "header":
			if s, ok := asString(v); ok && secretName(s) {
				return valueKey, true
			}
		}
	}
	return "", false
}

// decodedString is a decoded JSON value's string.
func decodedString(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// maskValue returns a decoded JSON value with its secrets masked: every
// string and number beneath a secret (by position), secret-named members
// at any depth, the value of a secret pair, the argument after a secret
// flag, and strings secret by form.
func maskValue(v any, secret bool) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		pairKey, pair := namedSecretPair(t, decodedString)
		for k, val := range t {
			out[maskKey(k)] = maskValue(val, secret || secretName(k) || (pair && k == pairKey))
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = maskValue(val, secret || (i > 0 && secretFlag(t[i-1])))
		}
		return out
	case string:
		return maskString(t, secret)
	case json.Number:
		if secret {
			return "****"
		}
		return t
	default: // bool, nil: no secret fits in them
		return v
	}
}

// maskKey masks a member name that is itself a credential (a token used
// as a map key): names are shown in paths and listings.
func maskKey(k string) string {
	if secretValue(k) {
		return Masked(k)
	}
	return k
}
