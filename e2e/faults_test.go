package e2e

import (
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

// integrityCheck runs SQLite's integrity_check on a database no server holds.
func integrityCheck(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	defer db.Close()
	var result string
	require.NoError(t, db.QueryRow("PRAGMA integrity_check").Scan(&result))
	assert.Equal(t, "ok", result)
}

// configNames lists every configuration name of a server.
func configNames(t *testing.T, s *server, key string) map[string]bool {
	t.Helper()
	status, body := s.call("GET", "/api/v1/configs", key, nil)
	require.Equal(t, http.StatusOK, status, "%v", body)
	names := map[string]bool{}
	for _, item := range body["data"].([]any) {
		names[item.(map[string]any)["mcp_config_name"].(string)] = true
	}
	return names
}

// tryPost sends one create without failing the test on transport errors (the
// server may be gone) and reports whether it was acknowledged with 201.
func tryPost(client *http.Client, base, path, key, body string) (int, error) {
	req, err := http.NewRequest("POST", base+path, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	return res.StatusCode, nil
}

// TestKillDuringWritesLosesNoAcknowledgedWrite kills the server with SIGKILL
// in the middle of a stream of creations: every creation answered 201 is
// there after the restart, and the database passes integrity_check.
func TestKillDuringWritesLosesNoAcknowledgedWrite(t *testing.T) {
	home := t.TempDir()
	s := startServer(t, home)
	key := adminKeyOf(t, filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json"))
	client := &http.Client{Timeout: 5 * time.Second}
	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
		stop  = make(chan struct{})
	)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("kill-%d-%d", w, i)
				if status, err := tryPost(client, s.base, "/api/v1/configs", key, `{"config_name": "`+name+`"}`); err == nil && status == http.StatusCreated {
					mu.Lock()
					acked = append(acked, name)
					mu.Unlock()
				}
			}
		}(w)
	}
	time.Sleep(time.Second)
	s.kill()
	close(stop)
	wg.Wait()
	require.NotEmpty(t, acked, "writes were acknowledged before the kill")

	integrityCheck(t, filepath.Join(home, ".enkrypt", "gateway.db"))
	s2 := startServer(t, home)
	names := configNames(t, s2, key)
	for _, name := range acked {
		assert.True(t, names[name], "acknowledged %s is lost", name)
	}
	assert.LessOrEqual(t, len(names), len(acked)+4, "at most the requests in flight were committed without an answer")
	t.Logf("%d acknowledged creations before SIGKILL, all kept", len(acked))
}

// TestConcurrentCreationsLoseNothing sends 200 creations at once.
func TestConcurrentCreationsLoseNothing(t *testing.T) {
	home := t.TempDir()
	s := startServer(t, home)
	key := adminKeyOf(t, filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json"))
	client := &http.Client{Timeout: 30 * time.Second}
	const n = 200
	statuses := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			statuses[i], errs[i] = tryPost(client, s.base, "/api/v1/configs", key, fmt.Sprintf(`{"config_name": "c-%d"}`, i))
		}(i)
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		require.NoError(t, errs[i])
		require.Equal(t, http.StatusCreated, statuses[i], "creation %d", i)
	}
	names := configNames(t, s, key)
	assert.Len(t, names, n)
	for i := 0; i < n; i++ {
		assert.True(t, names[fmt.Sprintf("c-%d", i)])
	}
}

// mountTmpfs mounts a tmpfs of the given size at a new directory and
// unmounts it when the test ends. It needs root (CI and the development
// machines run as root); elsewhere the test cannot run and says so.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mnt")
	require.NoError(t, os.Mkdir(dir, 0o700))
	mountAt(t, dir, "size="+size)
	return dir
}

// mountAt mounts a tmpfs with the given options at dir until the test ends.
func mountAt(t *testing.T, dir, options string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("SMG_REQUIRE_ALL") == "1" {
			t.Fatal("SMG_REQUIRE_ALL=1 but mounting a tmpfs to fill or freeze a directory needs root")
		}
		t.Skip("SKIPPED: mounting a tmpfs to fill or freeze a directory needs root")
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", options+",mode=0700", "tmpfs", dir).CombinedOutput()
	require.NoError(t, err, "mount: %s", out)
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
}

func remount(t *testing.T, dir, options string) {
	t.Helper()
	out, err := exec.Command("mount", "-o", "remount,"+options, dir).CombinedOutput()
	require.NoError(t, err, "remount %s: %s", options, out)
}

// assertOpaque500 checks a failed write's answer: 500, the error envelope, and
// nothing of the cause.
func assertOpaque500(t *testing.T, status int, body map[string]any) {
	t.Helper()
	require.Equal(t, http.StatusInternalServerError, status, "%v", body)
	assert.Equal(t, "internal_error", body["error"])
	detail, _ := body["detail"].(string)
	assert.Contains(t, detail, "unexpected server error")
	for _, leak := range []string{"sqlite", "SQLITE", "disk", "full", "read-only", "readonly", "/"} {
		assert.NotContains(t, detail, leak)
	}
}

// TestFullDiskGivesOpaque500sAndNoCorruption fills a tiny data directory:
// writes fail with clean 500s, reads keep working, writes work again once
// there is room, and the database is intact.
func TestFullDiskGivesOpaque500sAndNoCorruption(t *testing.T) {
	dataDir := mountTmpfs(t, "1m")
	home := t.TempDir()
	s := startServer(t, home, "SMG_DATA_DIR="+dataDir)
	key := adminKeyOf(t, filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json"))
	status, _ := s.call("POST", "/api/v1/configs", key, map[string]string{"config_name": "big"})
	require.Equal(t, http.StatusCreated, status)

	env := map[string]string{"BLOB": strings.Repeat("x", 60<<10)}
	var acked []string
	var failed map[string]any
	for i := 0; i < 100 && failed == nil; i++ {
		name := fmt.Sprintf("s%d", i)
		status, body := s.call("POST", "/api/v1/configs/big/servers", key, map[string]any{"server_name": name, "server_command": "npx", "env": env})
		switch status {
		case http.StatusCreated:
			acked = append(acked, name)
		default:
			assertOpaque500(t, status, body)
			failed = body
		}
	}
	require.NotNil(t, failed, "the disk filled up")
	status, body := s.call("POST", "/api/v1/configs", key, map[string]string{"config_name": strings.Repeat("y", 100)})
	if status != http.StatusCreated {
		assertOpaque500(t, status, body)
	}
	status, body = s.call("GET", "/api/v1/configs/big/servers", key, nil)
	require.Equal(t, http.StatusOK, status, "reads keep working on a full disk: %v", body)
	assert.GreaterOrEqual(t, len(body["data"].([]any)), len(acked))

	remount(t, dataDir, "size=64m")
	status, body = s.call("POST", "/api/v1/configs", key, map[string]string{"config_name": "after-room"})
	require.Equal(t, http.StatusCreated, status, "writes resume once there is room: %v", body)
	require.NoError(t, s.stop())
	assert.NotContains(t, s.logs.String(), key)

	integrityCheck(t, filepath.Join(dataDir, "gateway.db"))
	s2 := startServer(t, home, "SMG_DATA_DIR="+dataDir)
	status, body = s2.call("GET", "/api/v1/configs/big/servers", key, nil)
	require.Equal(t, http.StatusOK, status)
	got := map[string]bool{}
	for _, item := range body["data"].([]any) {
		got[item.(map[string]any)["server_name"].(string)] = true
	}
	for _, name := range acked {
		assert.True(t, got[name], "acknowledged server %s is lost", name)
	}
	status, _ = s2.call("GET", "/api/v1/configs/after-room", key, nil)
	assert.Equal(t, http.StatusOK, status)
}

// TestReadOnlyFileTargetGivesOpaque500 exports into a read-only file system
// inside the data directory (a running server's own database cannot be frozen:
// the kernel refuses a read-only remount while files are open for writing).
func TestReadOnlyFileTargetGivesOpaque500(t *testing.T) {
	home := t.TempDir()
	dataDir := filepath.Join(home, "data")
	s := startServer(t, home, "SMG_DATA_DIR="+dataDir)
	key := adminKeyOf(t, filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json"))
	frozen := filepath.Join(dataDir, "frozen")
	require.NoError(t, os.Mkdir(frozen, 0o700))
	mountAt(t, frozen, "size=1m,ro")
	status, _ := s.call("POST", "/api/v1/configs", key, map[string]string{"config_name": "exported"})
	require.Equal(t, http.StatusCreated, status)

	status, body := s.call("POST", "/api/v1/configs/exported/export", key, map[string]string{"output_file": "frozen/out.json"})
	assertOpaque500(t, status, body)
	status, body = s.call("POST", "/api/v1/configs/exported/export", key, map[string]string{"output_file": "out.json"})
	assert.Equal(t, http.StatusOK, status, "other targets still work: %v", body)
	status, _ = s.call("GET", "/api/v1/configs/exported", key, nil)
	assert.Equal(t, http.StatusOK, status)
}

// TestReadOnlyDataDirRefusesToStart starts the server on a data directory
// whose file system is read-only: it exits 1 at once with a clear error, and
// the database is intact once the directory is writable again.
func TestReadOnlyDataDirRefusesToStart(t *testing.T) {
	dataDir := mountTmpfs(t, "16m")
	home := t.TempDir()
	s := startServer(t, home, "SMG_DATA_DIR="+dataDir)
	key := adminKeyOf(t, filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json"))
	status, _ := s.call("POST", "/api/v1/configs", key, map[string]string{"config_name": "kept"})
	require.Equal(t, http.StatusCreated, status)
	require.NoError(t, s.stop())

	remount(t, dataDir, "ro")
	cmd := exec.Command(binary, "system", "start-api", "--host", "127.0.0.1", "--port", fmt.Sprint(freePort(t)))
	cmd.Env = append(cleanEnv(), "HOME="+home, "SMG_DATA_DIR="+dataDir)
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the server neither started nor failed on a read-only data directory")
	}
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "%s", out)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, string(out), "read-only file system", "the error says why")
	assert.NotContains(t, string(out), key)

	remount(t, dataDir, "rw")
	integrityCheck(t, filepath.Join(dataDir, "gateway.db"))
	s2 := startServer(t, home, "SMG_DATA_DIR="+dataDir)
	assert.Equal(t, map[string]bool{"kept": true}, configNames(t, s2, key))
}
