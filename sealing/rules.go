package sealing

import (
	"net/url"
	"strings"
	"unicode"
)

// Rules say which strings of a JSON tree (an oauth_config, a setting's
// value) are secrets: those a response masks and the store seals. The zero
// Rules are the general ones:
//
//   - every string under a member whose name marks a credential (api_key,
//     apiKey, X-API-Key, client_secret, password, token, authorization, …;
//     see SecretName), however deep;
//   - the value of a pair that names a credential ({"name": "X-API-Key",
//     "value": …}, with "name", "key" or "header" as the label);
//   - HTTP authorization values anywhere ("Bearer …", "Basic …");
//   - URLs that carry credentials anywhere (user information, query
//     parameters with secret names): masked in part, sealed whole.
//
// Empty strings are never secrets.
type Rules struct {
	// Names are further member names that hold credentials although they
	// carry no marker (an oauth_config's OAUTH_CODE_VERIFIER), compared as
	// SecretName compares.
	Names []string
	// All makes every non-empty string a secret: the whole value of a
	// setting whose key is a secret name (enkrypt_api_key).
	All bool
}

// secretMarkers name credentials. Member names are compared without case and
// punctuation, so "api_key", "apiKey", "X-API-Key" and "API Key" are alike.
var secretMarkers = []string{"apikey", "secret", "password", "passwd", "passphrase", "token",
	"credential", "authorization", "privatekey", "accesskey", "signingkey", "cookie", "session"}

// SecretName reports member names that hold credentials: those with a
// marker of secretMarkers, except addresses (names ending in url, uri or
// endpoint, such as token_url).
func SecretName(name string) bool {
	n := CompactName(name)
	if strings.HasSuffix(n, "url") || strings.HasSuffix(n, "uri") || strings.HasSuffix(n, "endpoint") {
		return false
	}
	for _, marker := range secretMarkers {
		if strings.Contains(n, marker) {
			return true
		}
	}
	return false
}

// CompactName is a member name without case and punctuation, as the
// credential rules compare names (the audit trail's masking too).
func CompactName(name string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, name)
}

// secretName is SecretName or one of the rules' further names.
func (r Rules) secretName(name string) bool {
	if SecretName(name) {
		return true
	}
	if len(r.Names) == 0 {
		return false
	}
	n := CompactName(name)
	for _, extra := range r.Names {
		if CompactName(extra) == n {
			return true
		}
	}
	return false
}

// secretKind is how a secret string is masked.
type secretKind int

const (
	notSecret   secretKind = iota
	wholeSecret            // masked by Mask
	urlSecret              // a URL masked by MaskURL: its credentials only
)

// classify says whether the string s at path p is a secret, and of which kind.
func (r Rules) classify(p Path, s string) secretKind {
	if s == "" {
		return notSecret
	}
	if r.All || authorizationValue(s) {
		return wholeSecret
	}
	for _, step := range p {
		if step.Index >= 0 {
			continue
		}
		if r.secretName(step.Name) || (step.Name == "value" && r.namedSecretPair(step.Object)) {
			return wholeSecret
		}
	}
	if _, ok := MaskURL(s); ok {
		return urlSecret
	}
	return notSecret
}

// Secret reports whether the string s at path p is a secret: the pick for
// SealTree that seals exactly what Mask masks.
func (r Rules) Secret(p Path, s string) bool { return r.classify(p, s) != notSecret }

// Mask returns a copy of the tree v with its secrets masked (see Transform
// for the shape of the copy); v is never changed.
func (r Rules) Mask(v any) any {
	out, _ := Transform(v, r.Secret, func(p Path, s string) (string, error) {
		if r.classify(p, s) == urlSecret {
			masked, _ := MaskURL(s)
			return masked, nil
		}
		return Mask(s), nil
	})
	return out
}

// KeepMasked returns the tree a client sent with every string that is
// exactly what Mask showed of the stored string at the same path replaced by
// the stored string; any other value, a new secret included, is taken as
// sent. Both trees are in clear (open the stored one first).
func (r Rules) KeepMasked(sent, stored any) any {
	return unmask(sent, stored, r.Mask(stored))
}

// unmask walks what was sent beside the stored value and its masked form.
func unmask(sent, stored, masked any) any {
	if s, ok := asString(sent); ok {
		if m, ok := asString(masked); ok && s == m {
			if st, ok := asString(stored); ok && st != m {
				return st
			}
		}
		return s
	}
	if obj, ok := asObject(sent); ok && obj != nil {
		st, _ := asObject(stored)
		m, _ := asObject(masked)
		out := make(map[string]any, len(obj))
		for k, v := range obj {
			out[k] = unmask(v, st[k], m[k])
		}
		return out
	}
	if arr, ok := asArray(sent); ok && arr != nil {
		st, _ := asArray(stored)
		m, _ := asArray(masked)
		out := make([]any, len(arr))
		for i, v := range arr {
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

// namedSecretPair reports objects that name a header or variable in one
// member and hold its value in another ({"name": "X-API-Key", "value": …}).
func (r Rules) namedSecretPair(obj map[string]any) bool {
	if obj == nil {
		return false
	}
	for _, label := range []string{"name", "key", "header"} {
		if name, ok := asString(obj[label]); ok && r.secretName(name) {
			return true
		}
	}
	return false
}

// authorizationValue reports HTTP authorization values, credentials
// whatever their member's name.
func authorizationValue(s string) bool {
	lower := strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(lower, "bearer ") || strings.HasPrefix(lower, "basic ")
}

// MaskURL hides the credentials a URL carries and keeps the rest readable:
// the password of its user information, a user name given alone
// (https://TOKEN@host is how tokens travel in clone URLs), and query
// parameters with secret names (?api_key=…, &client_secret=…). It reports
// whether s carried any.
func MaskURL(s string) (string, bool) {
	if !strings.Contains(s, "://") || !strings.ContainsAny(s, "@?") {
		return s, false
	}
	u, err := url.Parse(s)
	if err != nil {
		// What Go cannot read as a URL (a bad escape, a space in the host)
		// may still carry credentials where a reader sees them: none of it
		// is shown.
		return "xxxxx", true
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
			if SecretName(name) {
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
