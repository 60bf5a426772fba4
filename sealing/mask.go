package sealing

import "strings"

// Mask shows a secret as much as is safe to show, for responses, listings
// and exports:
//
//   - "" stays "" (an unset value is no secret);
//   - a secret with a known vendor prefix (knownPrefixes: ghp_, sk-, xoxb-,
//     smg_, …) shows the prefix, "…" and its last four characters:
//     "ghp_…abcd". A prefix is public (every such token has it) and tells
//     which credential is there;
//   - any other secret shows "****" and its last four characters;
//   - a secret too short for eight characters to stay hidden besides those
//     shows nothing: "****".
//
// Characters are counted as runes, so that a multi-byte character is never
// cut.
func Mask(secret string) string {
	if secret == "" {
		return ""
	}
	r := []rune(secret)
	prefix := knownPrefix(secret)
	hidden := len(r) - len([]rune(prefix)) - maskShown
	if hidden < minHidden {
		return "****"
	}
	last := string(r[len(r)-maskShown:])
	if prefix != "" {
		return prefix + "…" + last
	}
	return "****" + last
}

const (
	// maskShown is how many of a secret's last characters a mask shows.
	maskShown = 4
	// minHidden is how many characters must stay hidden for any to show:
	// with fewer, four characters would give away too much of the secret.
	minHidden = 8
)

// knownPrefixes are the fixed starts of well-known credentials, none longer
// than six characters: they are the same for every such credential, so
// showing one gives away nothing secret.
var knownPrefixes = []string{
	"ghp_", "gho_", "ghu_", "ghs_", "ghr_", // GitHub tokens
	"glpat-",            // GitLab personal access tokens
	"sk-",               // OpenAI, Anthropic (sk-ant-…, sk-proj-…)
	"sk_", "rk_", "pk_", // Stripe
	"xoxb-", "xoxp-", "xoxa-", "xoxe-", "xapp-", // Slack
	"smg_",  // this gateway's API keys
	"npm_",  // npm
	"pypi-", // PyPI
	"hf_",   // Hugging Face
	"AIza",  // Google API keys
}

// knownPrefix returns the known prefix secret starts with, or "".
func knownPrefix(secret string) string {
	for _, p := range knownPrefixes {
		if strings.HasPrefix(secret, p) {
			return p
		}
	}
	return ""
}

// KeepMasked returns the value to store when a client sends sent for a
// secret whose stored value is stored: a client that sends back exactly
// what a response showed of the stored value (its mask, not the value)
// keeps the stored value; anything else, a new secret included, is taken
// as sent. So a client may edit what it read without knowing the secrets.
func KeepMasked(sent, stored string) string {
	if sent != stored && sent == Mask(stored) {
		return stored
	}
	return sent
}

// MaskMap returns a copy of m (a server's env) with every value masked.
// nil stays nil.
func MaskMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = Mask(v)
	}
	return out
}

// KeepMaskedMap returns the map to store when a client sends sent for the
// stored map (a server's env): each value sent is kept as sent, except a
// value that is the mask of the stored value of the same name, which keeps
// the stored value. Names left out are left out: sent replaces stored.
func KeepMaskedMap(sent, stored map[string]string) map[string]string {
	if sent == nil {
		return nil
	}
	out := make(map[string]string, len(sent))
	for k, v := range sent {
		if st, ok := stored[k]; ok {
			v = KeepMasked(v, st)
		}
		out[k] = v
	}
	return out
}
