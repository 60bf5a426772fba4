package config

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVersionOf(t *testing.T) {
	tagged := &debug.BuildInfo{Main: debug.Module{Path: "github.com/securemcp/gateway", Version: "v1.4.0"}}
	assert.Equal(t, "v9.9.9-rc1", versionOf("v9.9.9-rc1", tagged), "the linker's value wins")
	assert.Equal(t, "v1.4.0", versionOf("", tagged), "else the module version the toolchain recorded")
	assert.Equal(t, "(devel)", versionOf("", &debug.BuildInfo{}), "a build without a recorded version")
	assert.Equal(t, "(devel)", versionOf("", nil), "a binary without build information")
}

func TestBuildVersionIsNeverEmpty(t *testing.T) {
	assert.NotEmpty(t, BuildVersion())
	assert.NotEqual(t, "1.0.0", BuildVersion(), "no literal version")
}
