// Package secretmask masks credentials in stored values (settings, server
// OAuth blocks) before they are shown.
package secretmask

import (
	"net/url"
	"strings"
	"unicode"
)

// MaskSecret shows at most the last four characters, and only of secrets long
// enough that four characters reveal little.
func MaskSecret(secret string) string {
	r := []rune(secret)
	if len(r) < 12 {
		return "****"
	}
	return "****" + string(r[len(r)-4:])
}

// secretMarkers name credentials. Member names are compared without case and
// punctuation, so "api_key", "apiKey", "X-API-Key" and "API Key" are alike.
var secretMarkers = []string{"apikey", "secret", "password", "passwd", "passphrase", "token",
	"credential", "authorization", "privatekey", "accesskey", "signingkey", "cookie", "session"}

// SecretField reports JSON member names that hold credentials.
func SecretField(name string) bool {
	n := CompactName(name)
	if strings.HasSuffix(n, "url") || strings.HasSuffix(n, "uri") || strings.HasSuffix(n, "endpoint") {
		return false // token endpoints and the like are addresses, not credentials
	}
	for _, marker := range secretMarkers {
		if strings.Contains(n, marker) {
			return true
		}
	}
	return false
}

// CompactName is a member name without case and punctuation.
func CompactName(name string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, name)
}

// secretValue reports strings that are credentials whatever their member's
// name: HTTP authorization values.
func secretValue(s string) bool {
	lower := strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(lower, "bearer ") || strings.HasPrefix(lower, "basic ")
}

// maskURLCredentials hides the credentials a URL carries and keeps the rest
// readable: the password of its user information, a user name given alone
// (https://TOKEN@host is how tokens travel in clone URLs), and query
// parameters with secret names (?api_key=..., &client_secret=...).
func maskURLCredentials(s string) (string, bool) {
	if !strings.Contains(s, "://") || !strings.ContainsAny(s, "@?") {
		return s, false
	}
	u, err := url.Parse(s)
	if err != nil {
		return s, false
	}
	masked := false
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		} else {
			u.User = url.User("xxxxx")
		}
		masked = true
	}
	if u.RawQuery != "" {
		query, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			// A query Go cannot read (a ';' separator, a bad escape) could
			// hide a secret in the part it skips: none of it is shown.
			u.RawQuery = "xxxxx"
			return u.String(), true
		}
		for name, values := range query {
			if SecretField(name) {
				for i := range values {
					values[i] = "xxxxx"
				}
				masked = true
			}
		}
		if masked {
			u.RawQuery = query.Encode()
		}
	}
	if !masked {
		return s, false
	}
	return u.String(), true
}

// namedSecretPair reports objects that name a header or variable in one
// member and hold its value in another ({"name": "X-API-Key", "value": ...}),
// so that the value is masked although the member is called "value".
func namedSecretPair(obj map[string]any) bool {
	if _, ok := obj["value"]; !ok {
		return false
	}
	for _, label := range []string{"name", "key", "header"} {
		if name, ok := obj[label].(string); ok && SecretField(name) {
			return true
		}
	}
	return false
}

// maskSecrets returns v with its credentials masked, at any depth: every
// string under a secret-named member (however deep) or in the value of a
// secret-named pair, authorization values and URL credentials anywhere.
func maskSecrets(v any) any {
	return MaskValue(v, false)
}

func MaskValue(v any, underSecret bool) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		pair := namedSecretPair(t)
		for k, val := range t {
			out[k] = MaskValue(val, underSecret || SecretField(k) || (pair && k == "value"))
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = MaskValue(val, underSecret)
		}
		return out
	case string:
		switch {
		case t == "":
			return t
		case underSecret || secretValue(t):
			return MaskSecret(t)
		}
		if masked, ok := maskURLCredentials(t); ok {
			return masked
		}
		return t
	default:
		return v
	}
}
