package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The gateway's protocol features are done when a client and servers this
// team did not write work through it: the official TypeScript SDK's client
// and the reference servers, pinned by the repository's package.json and
// installed with `npm ci`.

// progressWait bounds the wait for notifications a client handles on its own
// goroutine; pollEvery is the polling interval.
const (
	progressWait = 10 * time.Second
	pollEvery    = 10 * time.Millisecond
)

// httpClientWithKey sends a gateway key with every request.
func httpClientWithKey(key string) *http.Client {
	return &http.Client{Transport: bearerTransport{key}}
}

// peers locates node and the pinned MCP packages.
type peers struct {
	root string // the repository, whose node_modules holds the packages
}

// requirePeers skips the test, saying why, when node or the packages are
// missing — and fails it instead under SMG_REQUIRE_ALL=1 (as CI sets), where
// every suite must run.
func requirePeers(t *testing.T) peers {
	t.Helper()
	missing := func(reason string) {
		t.Helper()
		if os.Getenv("SMG_REQUIRE_ALL") == "1" {
			t.Fatalf("SMG_REQUIRE_ALL=1 but %s: with Node 20 or later, install the pinned MCP peers with npm ci", reason)
		}
		t.Skipf("SKIPPED: %s: the tests with real MCP peers need Node 20 or later and the pinned packages; install with npm ci", reason)
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing("node is not installed")
	}
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	for _, pkg := range []string{"sdk", "server-everything", "server-memory"} {
		if _, err := os.Stat(filepath.Join(root, "node_modules", "@modelcontextprotocol", pkg, "package.json")); err != nil {
			missing("@modelcontextprotocol/" + pkg + " is not installed")
		}
	}
	return peers{root: root}
}

func (p peers) script(pkg string) string {
	return filepath.Join(p.root, "node_modules", "@modelcontextprotocol", pkg, "dist", "index.js")
}

// everything is the reference server that exercises every protocol feature,
// as a server of a configuration (it takes its transport as argument).
func (p peers) everything(name string) map[string]any {
	return map[string]any{"server_name": name, "server_command": "node", "args": []string{p.script("server-everything"), "stdio"}}
}

// memory is the reference knowledge-graph server. It keeps its graph in the
// file MEMORY_FILE_PATH names, which every process of a definition would
// share: a shell gives each process a file of its own, named by its pid, so
// that what a process holds is its own, as the gateway's isolation intends.
// The shell stays as the process's leader and node runs as its child, a
// grandchild of the gateway.
func (p peers) memory(name, dir string, shared bool) map[string]any {
	return map[string]any{"server_name": name, "server_command": "sh",
		"args": []string{"-c", `MEMORY_FILE_PATH="$MEMORY_DIR/memory-$$.jsonl" node "$0"`, p.script("server-memory")},
		"env":  map[string]string{"MEMORY_DIR": dir}, "shared_process": shared}
}

// tsOutput is what the TypeScript client reports (testdata/ts_client.mjs).
type tsOutput struct {
	Connected       bool           `json:"connected"`
	Error           *tsError       `json:"error"`
	ProtocolVersion string         `json:"protocolVersion"`
	SessionID       *string        `json:"sessionId"`
	ServerInfo      map[string]any `json:"serverInfo"`
	Steps           []tsStep       `json:"steps"`
	Hits            map[string]int `json:"hits"`
}

type tsStep struct {
	Op       string           `json:"op"`
	Name     string           `json:"name"`
	Tools    []map[string]any `json:"tools"`
	Result   map[string]any   `json:"result"`
	Progress []map[string]any `json:"progress"`
	Error    *tsError         `json:"error"`
	Aborted  bool             `json:"aborted"`
}

type tsError struct {
	Name    string `json:"name"`
	Code    any    `json:"code"`
	Message string `json:"message"`
}

// toolNames are the names of a list step's tools.
func (s tsStep) toolNames() map[string]map[string]any {
	names := map[string]map[string]any{}
	for _, tool := range s.Tools {
		names[tool["name"].(string)] = tool
	}
	return names
}

// tsRun is a running TypeScript client.
type tsRun struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout bytes.Buffer
	stderr syncBuffer // read while it runs
	done   chan error
}

// startTS runs the TypeScript client on plan.
func (p peers) startTS(t *testing.T, plan map[string]any) *tsRun {
	t.Helper()
	doc, err := json.Marshal(plan)
	require.NoError(t, err)
	r := &tsRun{t: t, done: make(chan error, 1)}
	r.cmd = exec.Command("node", filepath.Join(p.root, "e2e", "testdata", "ts_client.mjs"))
	r.cmd.Env = append(cleanEnv(), "MCP_PLAN="+string(doc))
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	r.stdin, err = r.cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, r.cmd.Start())
	go func() { r.done <- r.cmd.Wait() }()
	t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			_ = r.cmd.Process.Kill()
			<-r.done
		}
	})
	return r
}

// waiting waits until the client has reached a wait step.
func (r *tsRun) waiting() {
	r.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(r.stderr.String(), "waiting\n") {
		select {
		case err := <-r.done:
			r.t.Fatalf("the TypeScript client ended (%v) before its wait step:\n%s\n%s", err, r.stdout.String(), r.stderr.String())
		case <-time.After(pollEvery):
		}
		require.True(r.t, time.Now().Before(deadline), "the TypeScript client never reached its wait step:\n%s", r.stderr.String())
	}
}

// release sends a line to the client: it aborts the call waiting for stdin,
// or ends a wait step.
func (r *tsRun) release() {
	_, err := io.WriteString(r.stdin, "abort\n")
	require.NoError(r.t, err)
}

// wait returns the client's report.
func (r *tsRun) wait() tsOutput {
	r.t.Helper()
	select {
	case err := <-r.done:
		require.NoError(r.t, err, "the TypeScript client failed:\n%s", r.stderr.String())
	case <-time.After(90 * time.Second):
		r.t.Fatalf("the TypeScript client did not finish:\n%s", r.stderr.String())
	}
	var out tsOutput
	require.NoError(r.t, json.Unmarshal(r.stdout.Bytes(), &out), "%s\n%s", r.stdout.String(), r.stderr.String())
	return out
}

// ts runs the TypeScript client on plan to its end.
func (p peers) ts(t *testing.T, plan map[string]any) tsOutput {
	t.Helper()
	return p.startTS(t, plan).wait()
}

// gatewayPlan is a plan for the TypeScript client against the gateway.
func gatewayPlan(url, key string, steps ...map[string]any) map[string]any {
	return map[string]any{"url": url, "key": key, "steps": steps}
}

func listStep() map[string]any { return map[string]any{"op": "list"} }

func callStep(name string, args map[string]any) map[string]any {
	return map[string]any{"op": "call", "name": name, "arguments": args}
}

// upstreamProcess is one process in the gateway's status.
type upstreamProcess struct {
	Server   string `json:"server_name"`
	UserID   string `json:"user_id"`
	State    string `json:"state"`
	PID      int    `json:"pid"`
	InFlight int    `json:"in_flight"`
	Stderr   string `json:"stderr_tail"`
}

// processes reads the gateway's status of its upstream processes.
func (g *gatewayServer) processes() []upstreamProcess {
	g.t.Helper()
	req, err := http.NewRequest("GET", g.base+"/api/v1/gateway/status", nil)
	require.NoError(g.t, err)
	req.Header.Set("Authorization", "Bearer "+g.key)
	res, err := http.DefaultClient.Do(req)
	require.NoError(g.t, err)
	defer res.Body.Close()
	require.Equal(g.t, http.StatusOK, res.StatusCode)
	var doc struct {
		Data struct {
			Processes []upstreamProcess `json:"processes"`
		} `json:"data"`
	}
	require.NoError(g.t, json.NewDecoder(res.Body).Decode(&doc))
	return doc.Data.Processes
}

// waitProcess polls the status until a process of server satisfies ok.
func (g *gatewayServer) waitProcess(server, what string, ok func(upstreamProcess) bool) upstreamProcess {
	g.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		procs := g.processes()
		for _, p := range procs {
			if p.Server == server && ok(p) {
				return p
			}
		}
		require.True(g.t, time.Now().Before(deadline), "%s: %s never happened: %+v", server, what, procs)
		time.Sleep(20 * time.Millisecond)
	}
}

// addUser adds a member to the Quick Start's project and returns their key.
func (g *gatewayServer) addUser(email string) string {
	g.t.Helper()
	g.admin(http.StatusCreated, "POST", "/api/v1/users", map[string]string{"email": email})
	g.admin(http.StatusCreated, "POST", "/api/v1/projects/my-project/users", map[string]string{"email": email})
	key := g.admin(http.StatusCreated, "POST", "/api/v1/users/"+email+"/api-keys", map[string]string{"project_name": "my-project"})
	return key["api_key"].(string)
}

// processTree lists pid's process group: the upstream and what it started.
func processTree(pgid int) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if stat := procStat(pid); len(stat) > 2 && stat[2] == strconv.Itoa(pgid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// procStat is the fields of /proc/<pid>/stat after the command name (state,
// ppid, pgrp, …); nil once the process is gone.
func procStat(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	s := string(b)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
}

// running says whether pid still runs. A killed grandchild lingers as a zombie
// until its new parent reaps it, which some container init processes do late;
// a zombie has exited.
func running(pid int) bool {
	stat := procStat(pid)
	return len(stat) > 0 && stat[0] != "Z" && stat[0] != "X"
}
