package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
)

// startServer starts `system start-api` in the background with the home's
// settings (config file, data directory, store) and waits until it serves.
func (h *cliHome) startServer(flags ...string) *server {
	h.t.Helper()
	home, extra := "", []string{}
	for _, kv := range h.env {
		switch {
		case strings.HasPrefix(kv, "HOME="):
			home = strings.TrimPrefix(kv, "HOME=")
		case strings.HasPrefix(kv, "SMG_"):
			extra = append(extra, kv)
		}
	}
	return startServerArgs(h.t, home, flags, extra...)
}

// port is the port the server listens on.
func (s *server) port() int {
	_, p, err := net.SplitHostPort(strings.TrimPrefix(s.base, "http://"))
	require.NoError(s.t, err)
	n, err := strconv.Atoi(p)
	require.NoError(s.t, err)
	return n
}

// pidFile is where start-api records a server listening on port.
func (h *cliHome) pidFile(port int) string {
	return filepath.Join(h.dataDir, "gateway.pids", fmt.Sprintf("api-%d.pid", port))
}

// exited waits (bounded) for the server process to end and returns how.
func (s *server) exited() error {
	s.t.Helper()
	select {
	case err := <-s.done:
		return err
	case <-time.After(30 * time.Second):
		s.t.Fatalf("the server still runs:\n%s", s.logs.String())
		return nil
	}
}

func TestCLIStopAPI(t *testing.T) { onEachStore(t, testCLIStopAPI) }

func testCLIStopAPI(t *testing.T, h *cliHome) {
	s := h.startServer()
	port := s.port()
	path := h.pidFile(port)
	info, err := os.Stat(path)
	require.NoError(t, err, "start-api records its process")
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var rec map[string]any
	require.NoError(t, json.Unmarshal(data, &rec))
	assert.Equal(t, float64(s.cmd.Process.Pid), rec["pid"])
	assert.Equal(t, float64(port), rec["port"])
	// No API client may replace it (and so point stop-api at another process).
	key := adminKeyOf(t, h.configPath)
	for _, body := range []map[string]string{{"output_file": "gateway.pids/" + filepath.Base(path)}, {"input_file": "gateway.pids/" + filepath.Base(path)}} {
		route := "/api/v1/system/backup"
		if body["input_file"] != "" {
			route = "/api/v1/system/restore"
		}
		status, got := s.call("POST", route, key, body)
		assert.Equal(t, http.StatusBadRequest, status, "%v", got)
		assert.Contains(t, got["detail"], "keeps for itself")
	}

	runCLICases(t, h, []cliCase{
		{name: "stop", args: args("system stop-api"), message: fmt.Sprintf("API server on port %d stopped", port),
			want: map[string]any{"pid": float64(s.cmd.Process.Pid), "port": float64(port), "signal": "SIGTERM", "pid_file": path}},
	})
	assert.NoError(t, s.exited(), "SIGTERM is a clean shutdown")
	assert.Contains(t, s.logs.String(), "finishing in-flight requests")
	_, err = os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist, "the pid file is gone")

	runCLICases(t, h, []cliCase{
		{name: "nothing left to stop", args: args("system stop-api"), fail: "not_found",
			detail: "no API server started from this data directory is running"},
		{name: "nothing on that port", args: args(fmt.Sprintf("system stop-api --port %d", port)), fail: "not_found",
			detail: fmt.Sprintf("no API server started from this data directory listens on port %d", port)},
		{name: "bad timeout", args: args("system stop-api --timeout 0s"), fail: "invalid", detail: "--timeout must be positive"},
	})
}

// --force kills the server at once: a request in flight does not hold it up,
// as it holds up SIGTERM (the server drains it first) past stop-api's wait.
func TestCLIStopAPIForce(t *testing.T) {
	h := newCLIHome(t)
	s := h.startServer()
	port := s.port()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	// Authenticated, so that the handler waits for the rest of the body.
	_, err = fmt.Fprintf(conn, "POST /api/v1/configs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{", adminKeyOf(t, h.configPath))
	require.NoError(t, err)

	runCLICases(t, h, []cliCase{
		{name: "SIGTERM waits for the request", args: args("system stop-api --timeout 1s"), fail: "conflict",
			detail: fmt.Sprintf("the API server on port %d (process %d) is still running 1s after SIGTERM", port, s.cmd.Process.Pid)},
		{name: "force", args: args(fmt.Sprintf("system stop-api --port %d --force", port)), message: fmt.Sprintf("API server on port %d stopped", port),
			want: map[string]any{"pid": float64(s.cmd.Process.Pid), "signal": "SIGKILL"}},
	})
	err = s.exited()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, syscall.SIGKILL, exit.Sys().(syscall.WaitStatus).Signal())
	_, err = os.Stat(h.pidFile(port))
	assert.ErrorIs(t, err, os.ErrNotExist, "stop-api removes the file the killed server could not")
}

// Several servers from one data directory: stop-api needs --port to choose,
// and stops only that one.
func TestCLIStopAPIChoosesByPort(t *testing.T) {
	h := newCLIHome(t)
	first, second := h.startServer(), h.startServer()
	runCLICases(t, h, []cliCase{
		{name: "which one", args: args("system stop-api"), fail: "invalid",
			detail: fmt.Sprintf("several API servers run from this data directory (ports %s); name one with --port", sortedPorts(first.port(), second.port()))},
		{name: "the second", args: args(fmt.Sprintf("system stop-api --port %d", second.port())),
			message: fmt.Sprintf("API server on port %d stopped", second.port()), want: map[string]any{"pid": float64(second.cmd.Process.Pid)}},
	})
	assert.NoError(t, second.exited())
	status, _ := first.call("GET", "/health", "", nil)
	assert.Equal(t, http.StatusOK, status, "the other server still serves")
	runCLICases(t, h, []cliCase{
		{name: "the only one left", args: args("system stop-api"), message: fmt.Sprintf("API server on port %d stopped", first.port())},
	})
	assert.NoError(t, first.exited())
}

func sortedPorts(a, b int) string {
	if a > b {
		a, b = b, a
	}
	return fmt.Sprintf("%d, %d", a, b)
}

// A pid file left behind is never trusted: a process that is gone, or a pid
// that now belongs to another program, is reported and the file removed; the
// other program is not signalled.
func TestCLIStopAPIStaleFiles(t *testing.T) {
	h := newCLIHome(t)
	gone := exec.Command("true")
	require.NoError(t, gone.Run())
	other := exec.Command("sleep", "60")
	require.NoError(t, other.Start())
	otherDone := make(chan error, 1)
	go func() { otherDone <- other.Wait() }()
	t.Cleanup(func() { _ = other.Process.Kill(); <-otherDone })

	require.NoError(t, os.MkdirAll(filepath.Dir(h.pidFile(1)), 0o700))
	write := func(port, pid int) {
		doc := fmt.Sprintf(`{"pid":%d,"port":%d,"host":"127.0.0.1","process_start":1}`, pid, port)
		require.NoError(t, os.WriteFile(h.pidFile(port), []byte(doc), 0o600))
	}
	write(9101, gone.Process.Pid)
	write(9102, other.Process.Pid)
	runCLICases(t, h, []cliCase{
		{name: "exited", args: args("system stop-api --port 9101"), fail: "not_found",
			detail: fmt.Sprintf("no API server is running on port 9101: its pid file named process %d, which has exited; the stale pid file was removed", gone.Process.Pid)},
		{name: "another program", args: args("system stop-api --port 9102 --force"), fail: "not_found",
			detail: fmt.Sprintf("its pid file named process %d, which is now another program; the stale pid file was removed", other.Process.Pid)},
	})
	for _, port := range []int{9101, 9102} {
		_, err := os.Stat(h.pidFile(port))
		assert.ErrorIs(t, err, os.ErrNotExist, "port %d", port)
	}
	select {
	case err := <-otherDone:
		t.Fatalf("the other program was signalled: %v", err)
	default:
	}
	require.NoError(t, other.Process.Signal(syscall.Signal(0)), "the other program still runs")

	// Without --port, stale files are cleared on the way.
	write(9103, gone.Process.Pid)
	runCLICases(t, h, []cliCase{
		{name: "none running", args: args("system stop-api"), fail: "not_found",
			detail: "is running (pid files are in " + filepath.Dir(h.pidFile(1)) + "): its pid file named process"},
	})
	_, err := os.Stat(h.pidFile(9103))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// A second server from the same data directory on the same port (another
// address) is refused: its pid file would hide the first from stop-api.
func TestStartRefusesASecondServerForTheSamePort(t *testing.T) {
	h := newCLIHome(t)
	s := h.startServer()
	cmd := exec.Command(binary, "system", "start-api", "--host", "127.0.0.2", "--port", strconv.Itoa(s.port()))
	cmd.Env = h.env
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "%s", out)
	assert.Contains(t, string(out), fmt.Sprintf("another API server started from this data directory (process %d) serves port %d; stop it with `system stop-api --port %d`",
		s.cmd.Process.Pid, s.port(), s.port()))
	data, err := os.ReadFile(h.pidFile(s.port()))
	require.NoError(t, err)
	assert.Contains(t, string(data), fmt.Sprintf(`"pid":%d`, s.cmd.Process.Pid), "the first server's file is kept")
}

// A pid file the server cannot write (the store in PostgreSQL and the data
// directory a read-only mount; here a file stands where the pid directory
// goes) does not stop it from serving; only stop-api cannot find it.
func TestStartWithoutAWritablePIDDirectory(t *testing.T) {
	h := newCLIHome(t)
	h.env = append(h.env, "SMG_DATABASE_URL="+sqltest.NewPostgresURL(t))
	require.NoError(t, os.MkdirAll(h.dataDir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(h.dataDir, "gateway.pids"), nil, 0o600))
	s := h.startServer()
	assert.Contains(t, s.logs.String(), "system stop-api will not find this server")
	runCLICases(t, h, []cliCase{
		{name: "not found", args: args("system stop-api"), fail: "not_found", detail: "no API server started from this data directory is running"},
	})
}
