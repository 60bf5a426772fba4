package sealing

import "strings"

// Kinds of place, the first part of associated data. They name the store's
// tables and columns as the API names them, so that they outlive a change
// of schema; a value keeps its place through a backup and a restore (ids
// are kept), and changes place when it is copied to another configuration
// (a new config id): that copy opens each value and seals it anew.
const (
	// KindServerEnv is a server's env value. Parts: config id, server name,
	// variable name.
	KindServerEnv = "servers.env"
	// KindServerOAuth is a string of a server's oauth_config. Parts: config
	// id, server name, then the string's Path segments.
	KindServerOAuth = "servers.oauth_config"
	// KindSetting is a setting's value (enkrypt_api_key, the telemetry
	// credentials). Parts: the setting's key, then the Path segments of the
	// string within the value (none for a value that is a string).
	KindSetting = "settings"
)

// AAD builds the associated data that binds a sealed value to its place:
// kind, ':', then the parts joined by '/', each escaped as a JSON Pointer
// token is (~ as ~0, / as ~1), so that no two places share a text whatever
// their names hold:
//
//	AAD(KindServerEnv, configID, "github", "GITHUB_TOKEN")
//	  = "servers.env:5f0c3a52-…/github/GITHUB_TOKEN"
//
// A token opens only with the AAD it was sealed with: a sealed value copied
// into another row, server, variable or member fails with
// ErrAuthentication. Identify a place by what does not change while the
// value stays there: the config id (not its name, which a rename changes).
func AAD(kind string, parts ...string) string {
	var b strings.Builder
	b.WriteString(kind)
	b.WriteByte(':')
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(pointerEscaper.Replace(p))
	}
	return b.String()
}

// pointerEscaper escapes a JSON Pointer reference token (RFC 6901).
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// EnvAAD is the associated data of a server's env value.
func EnvAAD(configID, server, name string) string {
	return AAD(KindServerEnv, configID, server, name)
}

// OAuthAAD gives the associated data of each string of a server's
// oauth_config, for SealTree and OpenTree.
func OAuthAAD(configID, server string) func(Path) string {
	return func(p Path) string {
		return AAD(KindServerOAuth, append([]string{configID, server}, p.Segments()...)...)
	}
}

// SettingAAD gives the associated data of each string of a setting's value,
// for SealTree and OpenTree.
func SettingAAD(key string) func(Path) string {
	return func(p Path) string {
		return AAD(KindSetting, append([]string{key}, p.Segments()...)...)
	}
}
