package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A short admin key stops the start with a reason, and never shows the key.
func TestShortAdminKeyIsRefusedAtStart(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const short = "s3cr3t-but-short"
	cmd := exec.CommandContext(ctx, binary, "system", "start-api", "--host", "127.0.0.1", "--port", fmt.Sprint(freePort(t)))
	cmd.Env = append(cleanEnv(), "HOME="+t.TempDir(), "SMG_ADMIN_API_KEY="+short)
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "the start fails: %s", out)
	require.NoError(t, ctx.Err(), "and fails at once: %s", out)
	assert.Contains(t, string(out), "the admin key has 16 characters; it needs at least 32")
	assert.NotContains(t, string(out), short)
	assert.NotContains(t, string(out), "serving the management API")
}

// A key set with surrounding spaces works without them, and the log says so.
func TestAdminKeyWithSpacesIsTrimmed(t *testing.T) {
	t.Parallel()
	const key = "spaced-admin-key-0123456789abcdef0123456789"
	s := startServer(t, t.TempDir(), "SMG_ADMIN_API_KEY=  "+key+" ")
	status, _ := s.call("GET", "/api/v1/configs", key, nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, s.logs.String(), "admin_apikey had leading or trailing white space")
	assert.NotContains(t, s.logs.String(), key)
}
