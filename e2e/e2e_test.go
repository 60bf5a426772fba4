// Package e2e drives the real secure-mcp-gateway binary over HTTP.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// binary is the gateway built once for the package.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	widenParallelism()
	dir, err := os.MkdirTemp("", "smg-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "secure-mcp-gateway")
	build := exec.Command("go", "build", "-o", binary, "../cmd/secure-mcp-gateway")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// widenParallelism lets more parallel tests run at once than the default
// (GOMAXPROCS) unless -test.parallel is given: these tests spend most of their
// time waiting for the processes they start (the gateway, the CLI, node
// peers, the database), not on the CPU.
func widenParallelism() {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		_ = flag.Set("test.parallel", strconv.Itoa(max(4, 2*runtime.GOMAXPROCS(0))))
	}
}

// freePort asks the kernel for an unused loopback port.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// syncBuffer collects a process's output safely.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is a running gateway process.
type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	logs *syncBuffer
	home string
	done chan error
}

// startServer runs `system start-api` with HOME in a temporary directory and
// the given extra environment, and waits until /health answers.
func startServer(t *testing.T, home string, env ...string) *server {
	t.Helper()
	return startServerArgs(t, home, nil, env...)
}

// startServerArgs is startServer with extra start-api flags.
func startServerArgs(t *testing.T, home string, flags []string, env ...string) *server {
	t.Helper()
	s := launchServer(t, home, flags, env...)
	s.waitHealthy()
	return s
}

// launchServer starts the process without waiting for it to serve.
func launchServer(t *testing.T, home string, flags []string, env ...string) *server {
	t.Helper()
	return launchBinary(t, binary, home, flags, env...)
}

// launchBinary is launchServer with another build of the gateway.
func launchBinary(t *testing.T, bin, home string, flags []string, env ...string) *server {
	t.Helper()
	return launchCommand(t, bin, home, "start-api", flags, env...)
}

// launchCommand runs `system <start>` on a free API port.
func launchCommand(t *testing.T, bin, home, start string, flags []string, env ...string) *server {
	t.Helper()
	port := freePort(t)
	args := append([]string{"system", start, "--host", "127.0.0.1", "--port", fmt.Sprint(port)}, flags...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(cleanEnv(), append([]string{"HOME=" + home}, env...)...)
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(t, cmd.Start())
	s := &server{t: t, cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port), logs: logs, home: home, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() { s.kill() })
	return s
}

// waitHealthy waits until /health answers 200.
func (s *server) waitHealthy() {
	t, logs := s.t, s.logs
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(s.base + "/health"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-s.done:
			t.Fatalf("server exited early: %v\n%s", err, logs.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("server did not become healthy:\n%s", logs.String())
}

// cleanEnv is the test's environment without SMG_* settings.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SMG_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	return env
}

func (s *server) kill() {
	if s.cmd.ProcessState == nil {
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// stop sends SIGTERM and returns the exit error.
func (s *server) stop() error {
	require.NoError(s.t, s.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-s.done:
		return err
	case <-time.After(30 * time.Second):
		s.t.Fatal("server did not stop after SIGTERM")
		return nil
	}
}

// call sends a JSON request and decodes the JSON answer.
func (s *server) call(method, path, key string, body any) (int, map[string]any) {
	s.t.Helper()
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		require.NoError(s.t, err)
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.base+path, reader)
	require.NoError(s.t, err)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer res.Body.Close()
	var out map[string]any
	require.NoError(s.t, json.NewDecoder(res.Body).Decode(&out))
	return res.StatusCode, out
}

func adminKeyOf(t *testing.T, configPath string) string {
	t.Helper()
	data, err := os.ReadFile(configPath)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	key, _ := doc["admin_apikey"].(string)
	require.NotEmpty(t, key)
	return key
}

func TestServerLifecycleOnFreshHome(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	s := startServer(t, home)
	configPath := filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json")
	info, err := os.Stat(configPath)
	require.NoError(t, err, "the first start generates the config file")
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	key := adminKeyOf(t, configPath)

	status, health := s.call("GET", "/health", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "API server is healthy", health["message"])
	assert.Equal(t, configPath, health["data"].(map[string]any)["config_path"])
	head, err := http.Head(s.base + "/health")
	require.NoError(t, err)
	body, err := io.ReadAll(head.Body)
	require.NoError(t, err)
	_ = head.Body.Close()
	assert.Equal(t, http.StatusOK, head.StatusCode, "uptime checks probe with HEAD")
	assert.Empty(t, body, "a HEAD answer has no body")

	status, _ = s.call("GET", "/api/v1/configs", "", nil)
	assert.Equal(t, http.StatusUnauthorized, status)

	status, created := s.call("POST", "/api/v1/configs", key, map[string]string{"config_name": "e2e-config"})
	require.Equal(t, http.StatusCreated, status, "%v", created)
	id := created["data"].(map[string]any)["config_id"].(string)
	status, srv := s.call("POST", "/api/v1/configs/e2e-config/servers", key, map[string]any{
		"server_name": "github", "server_command": "npx", "args": []string{"-y", "@modelcontextprotocol/server-github"}})
	require.Equal(t, http.StatusCreated, status, "%v", srv)
	status, got := s.call("GET", "/api/v1/configs/"+id, key, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "e2e-config", got["data"].(map[string]any)["mcp_config_name"])
	status, _ = s.call("DELETE", "/api/v1/configs/e2e-config", key, nil)
	require.Equal(t, http.StatusOK, status)
	status, _ = s.call("GET", "/api/v1/configs/"+id, key, nil)
	assert.Equal(t, http.StatusNotFound, status)

	require.NoError(t, s.stop(), "SIGTERM is a clean shutdown")
	logs := s.logs.String()
	assert.Contains(t, logs, configPath, "the log says where the config file is")
	assert.NotContains(t, logs, key, "the admin key never appears in the log")
	assert.Contains(t, logs, `"route":"/api/v1/configs/:config"`)
}

func TestWritesSurviveRestart(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	s := startServer(t, home)
	key := adminKeyOf(t, filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json"))
	status, _ := s.call("POST", "/api/v1/configs", key, map[string]string{"config_name": "durable"})
	require.Equal(t, http.StatusCreated, status)
	s.kill() // SIGKILL: no chance to flush anything after the 201
	s2 := startServer(t, home)
	status, got := s2.call("GET", "/api/v1/configs/durable", key, nil)
	require.Equal(t, http.StatusOK, status, "%v", got)
}

func TestEnvironmentOverridesConfigFile(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	s := startServer(t, home, "SMG_ADMIN_API_KEY=env-admin-key-0123456789abcdef0123456789", "SMG_DATA_DIR="+filepath.Join(home, "data"))
	status, _ := s.call("GET", "/api/v1/configs", "env-admin-key-0123456789abcdef0123456789", nil)
	assert.Equal(t, http.StatusOK, status)
	_, err := os.Stat(filepath.Join(home, "data", "gateway.db"))
	assert.NoError(t, err, "the store lives in SMG_DATA_DIR")
}

func TestReloadAppliesNewAdminKey(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	configPath := filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json")
	s := startServerArgs(t, home, []string{"--reload"})
	oldKey := adminKeyOf(t, configPath)
	status, _ := s.call("GET", "/api/v1/configs", oldKey, nil)
	require.Equal(t, http.StatusOK, status)

	data, err := os.ReadFile(configPath)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	newKey := "rotated-admin-key-0123456789abcdef0123456789abcdef"
	doc["admin_apikey"] = newKey
	updated, err := json.Marshal(doc)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(configPath, updated, 0o600))

	assert.Eventually(t, func() bool {
		status, _ := s.call("GET", "/api/v1/configs", newKey, nil)
		return status == http.StatusOK
	}, 10*time.Second, 100*time.Millisecond, "the new admin key works without a restart")
	status, _ = s.call("GET", "/api/v1/configs", oldKey, nil)
	assert.Equal(t, http.StatusUnauthorized, status, "the old admin key stops working")
	assert.NotContains(t, s.logs.String(), newKey)
}

// A port already in use ends the start at once, with a plain reason, and the
// process never claims to be serving.
func TestStartOnAPortInUseFailsPlainly(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "system", "start-api", "--host", "127.0.0.1", "--port", fmt.Sprint(port))
	cmd.Env = append(cleanEnv(), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "the start fails: %s", out)
	require.NoError(t, ctx.Err(), "and fails at once: %s", out)
	assert.Contains(t, string(out), "is another server using this port?")
	assert.NotContains(t, string(out), "serving the management API")
}
