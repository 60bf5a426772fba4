package upstream

import (
	"maps"
	"os"
	"slices"
	"strings"
)

// inheritedEnv reads the allow-listed part of the gateway's environment.
// It is read once, when the pool is built: the gateway's environment does
// not change while it runs, and tests can set it before New.
func inheritedEnv(allow []string) map[string]string {
	env := make(map[string]string, len(allow))
	for _, name := range allow {
		if v, ok := os.LookupEnv(name); ok {
			env[name] = v
		}
	}
	return env
}

// processEnv is the complete environment of an upstream: the inherited part,
// overridden by the server's own variables, sorted so that it is the same on
// every start.
func processEnv(inherited, own map[string]string) []string {
	merged := maps.Clone(inherited)
	maps.Copy(merged, own)
	env := make([]string, 0, len(merged))
	for k, v := range merged {
		env = append(env, k+"="+v)
	}
	slices.Sort(env)
	return env
}

// lookupEnv returns the value of name in an environment list.
func lookupEnv(env []string, name string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}

// minRedactedLen keeps short values ("1", "true") from being replaced all
// over a message; secrets are longer.
const minRedactedLen = 6

// redactor replaces the values of a server's own environment (API keys,
// tokens) in text shown to administrators: a server may well echo its
// configuration on stderr when it fails.
func redactor(env map[string]string) *strings.Replacer {
	var pairs []string
	values := slices.Sorted(maps.Values(env))
	// Longest first, so that a value containing another is replaced whole.
	slices.SortStableFunc(values, func(a, b string) int { return len(b) - len(a) })
	for _, v := range slices.Compact(values) {
		if len(v) >= minRedactedLen {
			pairs = append(pairs, v, "[redacted]")
		}
	}
	return strings.NewReplacer(pairs...)
}
