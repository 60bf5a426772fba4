package e2e

import (
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// moduleVersionOf is the main module's version the toolchain recorded in a
// binary (`go version -m`), which the gateway reports unless the build set one.
func moduleVersionOf(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command("go", "version", "-m", bin).Output()
	require.NoError(t, err)
	for _, line := range strings.Split(string(out), "\n") {
		fields := strings.Fields(line)
		if len(fields) >= 3 && fields[0] == "mod" && fields[1] == "github.com/securemcp/gateway" {
			return fields[2]
		}
	}
	t.Fatalf("no main module in the build information:\n%s", out)
	return ""
}

func TestVersionComesFromTheBuild(t *testing.T) {
	t.Parallel()
	res, err := runCLI(cleanEnv(), "", "--version")
	require.NoError(t, err)
	require.Equal(t, 0, res.code, res.stderr)
	assert.Equal(t, "secure-mcp-gateway version "+moduleVersionOf(t, binary)+"\n", res.stdout)
	assert.NotContains(t, res.stdout, "1.0.0")
}

// TestLinkedVersionIsReportedEverywhere: a release build sets the version with
// -ldflags -X; the CLI and both health routes report it.
func TestLinkedVersionIsReportedEverywhere(t *testing.T) {
	t.Parallel()
	const release = "v7.3.1-e2e"
	bin := filepath.Join(t.TempDir(), "secure-mcp-gateway")
	build := exec.Command("go", "build", "-o", bin,
		"-ldflags", "-X github.com/securemcp/gateway/config.Version="+release, "../cmd/secure-mcp-gateway")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	version, err := exec.Command(bin, "--version").Output()
	require.NoError(t, err)
	assert.Equal(t, "secure-mcp-gateway version "+release+"\n", string(version))

	home := t.TempDir()
	s := launchBinary(t, bin, home, nil)
	s.waitHealthy()
	status, health := s.call("GET", "/health", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, release, health["data"].(map[string]any)["version"])
	key := adminKeyOf(t, filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json"))
	status, deep := s.call("GET", "/api/v1/system/health", key, nil)
	require.Equal(t, http.StatusOK, status, "%v", deep)
	assert.Equal(t, release, deep["data"].(map[string]any)["version"])
}
