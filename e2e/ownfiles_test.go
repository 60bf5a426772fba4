package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadingTheGatewaysOwnFilesLosesNoWrite replays an attack that once
// lost acknowledged writes: clients name the store and its journals as input
// files (a read that opens and closes a file SQLite holds open drops SQLite's
// locks), a CLI command runs beside the server, users are created, and the
// server is killed. Every name is refused before the file is opened, and
// every acknowledged user is there after the restart.
func TestReadingTheGatewaysOwnFilesLosesNoWrite(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	dir := filepath.Join(home, ".enkrypt")
	configPath := filepath.Join(dir, "enkrypt_mcp_config.json")
	s := startServer(t, home)
	key := adminKeyOf(t, configPath)
	status, _ := s.call("POST", "/api/v1/configs", key, map[string]string{"config_name": "c1"})
	require.Equal(t, http.StatusCreated, status)
	status, _ = s.call("POST", "/api/v1/configs/c1/servers", key, map[string]any{"server_name": "s1", "server_command": "true"})
	require.Equal(t, http.StatusCreated, status)
	_, err := os.Stat(filepath.Join(dir, "gateway.db-wal"))
	require.NoError(t, err, "the store runs in WAL mode")

	db := filepath.Join(dir, "gateway.db")
	require.NoError(t, os.Link(db, filepath.Join(dir, "hard-link.db")))
	require.NoError(t, os.Symlink("gateway.db-wal", filepath.Join(dir, "wal-link")))
	names := []string{"gateway.db", "gateway.db-shm", "gateway.db-wal", "./gateway.db-wal", "GATEWAY.DB-SHM",
		"hard-link.db", "wal-link", "enkrypt_mcp_config.json", "sub/../gateway.db"}
	for _, name := range names {
		for _, probe := range []struct{ method, path, field string }{
			{"POST", "/api/v1/system/restore", "input_file"},
			{"POST", "/api/v1/system/restore", "backup_file"},
			{"POST", "/api/v1/configs/import", "input_file"},
			{"PUT", "/api/v1/configs/c1/servers/s1/input-guardrails", "policy_file"},
		} {
			body := map[string]any{probe.field: name, "config_name": "imported"}
			status, answer := s.call(probe.method, probe.path, key, body)
			assert.Equal(t, http.StatusBadRequest, status, "%s %s %q: %v", probe.method, probe.path, name, answer)
		}
	}
	for _, name := range []string{"gateway.db", "gateway.db-wal", "enkrypt_mcp_config.json"} {
		res := runCLIIn(t, home, dir, "system", "restore", "--input-file", name)
		assert.Equal(t, 1, res.code, "the CLI refuses %s too: %s", name, res.stderr)
		assert.Contains(t, res.stderr, "keeps for itself")
	}
	res := runCLIIn(t, home, dir, "user", "list")
	require.Equal(t, 0, res.code, res.stderr)

	for i := range 3 {
		status, answer := s.call("POST", "/api/v1/users", key, map[string]string{"email": fmt.Sprintf("u%d@example.com", i)})
		require.Equal(t, http.StatusCreated, status, "%v", answer)
	}
	res = runCLIIn(t, home, dir, "user", "list")
	require.Equal(t, 0, res.code, res.stderr)
	assert.Equal(t, 3, strings.Count(res.stdout, "@example.com"), "the CLI sees the server's writes: %s", res.stdout)

	s.kill()
	integrityCheck(t, db)
	s2 := startServer(t, home)
	status, users := s2.call("GET", "/api/v1/users", key, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, users["data"], 3, "every acknowledged user survives kill -9")
	status, configs := s2.call("GET", "/api/v1/configs/c1", key, nil)
	assert.Equal(t, http.StatusOK, status, "%v", configs)
}

// runCLIIn runs the binary with HOME set to home and dir as the current directory.
func runCLIIn(t *testing.T, home, dir string, args ...string) cliResult {
	t.Helper()
	res, err := runCLIAt(append(cleanEnv(), "HOME="+home), dir, "", args...)
	require.NoError(t, err)
	return res
}
