package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHealthcheckCommandProbesTheRunningServer runs the container health
// check's command (see the Dockerfile) with the built binary: exit 0 while
// the server is ready, 1 once it is gone. It needs no config file and no
// store of its own: it runs in a fresh HOME.
func TestHealthcheckCommandProbesTheRunningServer(t *testing.T) {
	t.Parallel()
	s := startServer(t, t.TempDir())
	env := append(cleanEnv(), "HOME="+t.TempDir())
	res, err := runCLI(env, "", "system", "health-check", "--url", s.base+"/readyz")
	require.NoError(t, err)
	require.Equal(t, 0, res.code, "stderr: %s", res.stderr)
	doc := decodeDoc(t, res.stdout)
	assert.Equal(t, "API server is ready", doc["message"])
	assert.Equal(t, "sqlite", doc["data"].(map[string]any)["store"])

	res, err = runCLI(env, "", "system", "health-check", "--url", s.base+"/api/v1/system/health")
	require.NoError(t, err)
	assert.Equal(t, 1, res.code, "a route that needs the admin key is not a probe")
	assert.Contains(t, res.stderr, "401")

	require.NoError(t, s.stop())
	res, err = runCLI(env, "", "system", "health-check", "--url", s.base+"/readyz", "--timeout", "2s")
	require.NoError(t, err)
	assert.Equal(t, 1, res.code)
	assert.Empty(t, res.stdout)
	assert.Equal(t, "unavailable", decodeDoc(t, res.stderr)["error"])

	res, err = runCLI(env, "", "system", "health-check", "--url", "127.0.0.1:8001/readyz")
	require.NoError(t, err)
	assert.Equal(t, 1, res.code)
	assert.Equal(t, "invalid", decodeDoc(t, res.stderr)["error"])
}
