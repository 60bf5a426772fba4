package main

import (
	"context"
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
	"time"
)

// spawned is a gateway process started by the tool.
type spawned struct {
	cmd  *exec.Cmd
	home string
	base string
	// mcpURL is the MCP endpoint when the process serves the gateway too.
	mcpURL string
	key    string
	done   chan error
}

// spawnOptions choose what the spawned process serves.
type spawnOptions struct {
	// gateway runs `system start` (the API and the MCP gateway) rather
	// than `system start-api`; logs stay at info, as in production, so
	// that each tool call writes its log line.
	gateway bool
	// args and env are added to the command line and the environment.
	args []string
	env  []string
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// spawn starts the binary in a temporary home on a free loopback port and
// waits until it is healthy.
func spawn(ctx context.Context, binary string, so spawnOptions) (*spawned, error) {
	home, err := os.MkdirTemp("", "smg-load-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"system", "start-api", "--host", "127.0.0.1", "--port", strconv.Itoa(port), "--log-level", "warn"}
	var mcpURL string
	if so.gateway {
		mcpPort, err := freePort()
		if err != nil {
			return nil, err
		}
		args = []string{"system", "start", "--host", "127.0.0.1", "--port", strconv.Itoa(port), "--mcp-port", strconv.Itoa(mcpPort)}
		mcpURL = fmt.Sprintf("http://127.0.0.1:%d/mcp/", mcpPort)
	}
	cmd := exec.Command(binary, append(args, so.args...)...)
	cmd.Env = append(append(os.Environ(), "HOME="+home), so.env...)
	// The server's log goes to a file: a run ends by cancelling requests in
	// flight, which the server logs, and that would drown the report.
	logFile, err := os.Create(filepath.Join(home, "server.log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &spawned{cmd: cmd, home: home, base: fmt.Sprintf("http://127.0.0.1:%d", port), mcpURL: mcpURL, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if res, err := http.Get(s.base + "/health"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-s.done:
			log, _ := os.ReadFile(logFile.Name())
			return nil, fmt.Errorf("the gateway exited: %v\n%s", err, log)
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("the gateway did not become healthy")
		}
	}
	if s.key = os.Getenv("SMG_ADMIN_API_KEY"); s.key == "" {
		raw, err := os.ReadFile(filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json"))
		if err != nil {
			s.stop()
			return nil, err
		}
		var doc struct {
			AdminKey string `json:"admin_apikey"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			s.stop()
			return nil, err
		}
		s.key = doc.AdminKey
	}
	return s, nil
}

// memory reads the process's resident set and its peak from /proc, in bytes.
func (s *spawned) memory() (rss, peak int64, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	return rss, peak, nil
}

// stop ends the process with SIGTERM (SIGKILL after 10 s) and removes its home.
func (s *spawned) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	_ = os.RemoveAll(s.home)
}
