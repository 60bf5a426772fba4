package upstream

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"
)

// upstreamBin is the test server (testdata/upstream), built once by TestMain.
var upstreamBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "upstream-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	upstreamBin = filepath.Join(dir, "upstream")
	build := exec.Command("go", "build", "-o", upstreamBin, "./testdata/upstream")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the test upstream:", err)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	if code == 0 {
		// Every pool is closed by now: nothing of it may still run.
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines leaked:", err)
			code = 1
		}
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// serveSpec is a well-behaved test upstream named name.
func serveSpec(name string, flags ...string) Spec {
	return Spec{Name: name, Command: upstreamBin, Args: append([]string{"serve"}, flags...)}
}

// modeSpec is a test upstream in another mode (garbage, silent, exit).
func modeSpec(name, mode string) Spec {
	return Spec{Name: name, Command: upstreamBin, Args: []string{mode}}
}

// newPool builds a pool closed at the end of the test, which then checks
// that the pool's processes are gone.
func newPool(t testing.TB, opts Options) *Pool {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = zaptest.NewLogger(t)
	}
	p, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		pids := livePIDs(p)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := p.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
		for _, pr := range pids {
			if !pr.gone() {
				t.Errorf("process %d still runs after Close", pr.pid)
			}
		}
	})
	return p
}

// livePIDs lists the pool's processes.
func livePIDs(p *Pool) []procRef {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []procRef
	for inst := range p.procs {
		out = append(out, refOf(inst.proc.pid))
	}
	return out
}

// procRef names a process by pid and start time, so that a recycled pid is
// not mistaken for it.
type procRef struct {
	pid   int
	start string
}

// refOf records pid's start time; the process must exist.
func refOf(pid int) procRef {
	start, _ := procStat(pid)
	return procRef{pid: pid, start: start}
}

// gone reports whether the process has exited (a zombie waiting for a
// parent that is not the test has exited too).
func (r procRef) gone() bool {
	start, state := procStat(r.pid)
	return start == "" || start != r.start || state == "Z"
}

// procStat reads the start time and state of pid from /proc.
func procStat(pid int) (start, state string) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", ""
	}
	// The command name (field 2) may hold spaces; fields after it do not.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 20 {
		return "", ""
	}
	return fields[19], fields[0] // starttime (field 22), state (field 3)
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// call runs tool with args and returns its first text content.
func call(t testing.TB, p *Pool, isolation string, spec Spec, tool, args string) string {
	t.Helper()
	res, err := p.CallTool(context.Background(), isolation, spec, ToolCall{Name: tool, Arguments: []byte(args)})
	if err != nil {
		t.Fatalf("%s/%s %s: %v", spec.Name, tool, args, err)
	}
	return firstText(t, res)
}

func firstText(t testing.TB, res *mcp.CallToolResult) string {
	t.Helper()
	if len(res.Content) == 0 {
		t.Fatalf("result has no content: %+v", res)
	}
	tc, ok := res.Content[0].(*mcp.TextContent)
	if !ok {
		t.Fatalf("first content is %T, want text", res.Content[0])
	}
	return tc.Text
}

// pidOf asks the process of (isolation, spec) for its pid.
func pidOf(t testing.TB, p *Pool, isolation string, spec Spec) int {
	t.Helper()
	pid, err := strconv.Atoi(call(t, p, isolation, spec, "pid", "{}"))
	if err != nil {
		t.Fatalf("pid: %v", err)
	}
	return pid
}

// statusOf returns the status entries of server under isolation.
func statusOf(p *Pool, isolation, server string) []ProcessStatus {
	var out []ProcessStatus
	for _, st := range p.Status() {
		if st.Isolation == isolation && st.Server == server {
			out = append(out, st)
		}
	}
	return out
}

// recorder is an Observer that keeps every event.
type recorder struct {
	mu       sync.Mutex
	procs    []ProcessEvent
	procTime []time.Time
	refs     []procRef
	calls    []CallEvent
}

func (r *recorder) ProcessEvent(ev ProcessEvent) {
	var ref procRef
	if ev.Kind == EventStarted {
		ref = refOf(ev.PID) // now, while it surely runs
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.procs = append(r.procs, ev)
	r.procTime = append(r.procTime, time.Now())
	if ev.Kind == EventStarted {
		r.refs = append(r.refs, ref)
	}
}

// started returns the processes started so far.
func (r *recorder) started() []procRef {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.refs)
}

func (r *recorder) CallDone(ev CallEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, ev)
}

// count returns how many process events of kind were seen.
func (r *recorder) count(kind EventKind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, ev := range r.procs {
		if ev.Kind == kind {
			n++
		}
	}
	return n
}

// times returns when the process events of kind were seen.
func (r *recorder) times(kind EventKind) []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []time.Time
	for i, ev := range r.procs {
		if ev.Kind == kind {
			out = append(out, r.procTime[i])
		}
	}
	return out
}

// isKind fails the test unless err matches kind.
func isKind(t testing.TB, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("error %v, want %v", err, kind)
	}
}
