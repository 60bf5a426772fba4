package config

import "runtime/debug"

// Version is the release a build declares at link time:
//
//	go build -ldflags "-X github.com/securemcp/gateway/config.Version=v1.4.0" ./cmd/secure-mcp-gateway
//
// It is a variable only because the linker can set nothing else; nothing
// assigns it at run time. Read the version with BuildVersion, which falls back
// to what the Go toolchain recorded when the build did not set it.
var Version string

// develVersion is what the toolchain records for a build of a checkout
// without version control information (go build -buildvcs=false, a copy of
// the sources without .git).
const develVersion = "(devel)"

// BuildVersion is the version of this binary: Version when the build set it,
// else the main module's version in the build information (the tag of a `go
// install …@v1.4.0`, or a pseudo-version such as
// v0.0.0-20260102150405-abcdef123456+dirty for a build of a git checkout),
// else "(devel)".
func BuildVersion() string {
	info, _ := debug.ReadBuildInfo()
	return versionOf(Version, info)
}

// versionOf chooses the version from the linked value and the build information.
func versionOf(linked string, info *debug.BuildInfo) string {
	if linked != "" {
		return linked
	}
	if info != nil && info.Main.Version != "" {
		return info.Main.Version
	}
	return develVersion
}
