//go:build unix

package upstream

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// After the leader's exit its group is killed; groupDrain bounds the wait
// for the group's members to be gone, and stderrDrain the wait for the end
// of stderr (only a process that left the group, with setsid, can still
// hold the pipe, and it is not waited for).
const (
	groupDrain  = time.Second
	stderrDrain = 500 * time.Millisecond
)

// process is one running upstream command in its own process group. The
// pool speaks MCP over stdin/stdout; stderr goes to a bounded tail.
//
// The pool runs its own stdio plumbing rather than mcp.CommandTransport:
// that transport signals only the leader (npx and uv leave grandchildren
// behind), waits for the process inside the connection's Close, and fixes
// the message cap at 16 MiB. Here exit is observed as it happens, the whole
// group is signalled, and the cap is Options.MaxMessageBytes.
type process struct {
	pid    int
	cmd    *exec.Cmd
	stdin  *os.File // our end; closing it asks the server to exit
	stdout *os.File // our end, read by the MCP connection
	stderr *tail

	exited  chan struct{} // closed once the leader is reaped and stderr drained
	exitErr error         // the leader's exit status; read after exited

	mu     sync.Mutex // orders group signals before the leader's reaping
	reaped bool       // after reaping, the pid (and group id) may be reused
}

// startProcess starts spec's command with exactly env in a new process
// group.
func startProcess(spec Spec, env []string, stderrMax int) (*process, error) {
	path, err := lookPath(spec.Command, lookupEnv(env, "PATH"))
	if err != nil {
		return nil, err
	}
	var files []*os.File // every pipe end, closed on failure
	closeAll := func() {
		for _, f := range files {
			_ = f.Close()
		}
	}
	pipe := func() (r, w *os.File) {
		if err != nil {
			return nil, nil
		}
		r, w, err = os.Pipe()
		files = append(files, r, w)
		return r, w
	}
	inR, inW := pipe()
	outR, outW := pipe()
	errR, errW := pipe()
	if err != nil {
		closeAll()
		return nil, err
	}
	cmd := &exec.Cmd{
		Path:   path,
		Args:   append([]string{spec.Command}, spec.Args...),
		Env:    env, // never nil: a nil Env would inherit the whole gateway environment
		Stdin:  inR,
		Stdout: outW,
		Stderr: errW,
		// Its own group, so that stopping it stops what it started.
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true},
	}
	if err := cmd.Start(); err != nil {
		closeAll()
		return nil, err
	}
	// The child has its copies; ours would keep the pipes open forever.
	_, _, _ = inR.Close(), outW.Close(), errW.Close()

	p := &process{
		pid:    cmd.Process.Pid,
		cmd:    cmd,
		stdin:  inW,
		stdout: outR,
		stderr: newTail(stderrMax),
		exited: make(chan struct{}),
	}
	stderrDone := make(chan struct{})
	go func() {
		defer close(stderrDone)
		_, _ = io.Copy(p.stderr, errR)
	}()
	go p.watchExit(errR, stderrDone)
	return p, nil
}

// watchExit records the leader's exit, kills what it left in its group and
// waits (briefly) for the group to be gone and for the end of stderr, so
// that exited means "gone, with its children, and its last words are in
// the tail".
func (p *process) watchExit(errR *os.File, stderrDone <-chan struct{}) {
	err := p.reap()
	// SIGKILL is delivered asynchronously: "gone" must mean the whole group.
	for deadline := time.Now().Add(groupDrain); groupAlive(p.pid) && time.Now().Before(deadline); {
		time.Sleep(2 * time.Millisecond)
	}
	t := time.NewTimer(stderrDrain)
	select {
	case <-stderrDone:
	case <-t.C:
	}
	t.Stop()
	_ = errR.Close() // unblocks the copy if someone outside the group holds the pipe
	<-stderrDone
	p.exitErr = err
	close(p.exited)
}

// signal sends sig to the whole process group, unless the leader has been
// reaped: then the group id may already name someone else's group.
func (p *process) signal(sig syscall.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.reaped {
		_ = syscall.Kill(-p.pid, sig)
	}
}

// kill stops the group at once.
func (p *process) kill() { p.signal(syscall.SIGKILL) }

// stop shuts the process down as the MCP stdio transport asks: close its
// stdin, wait, SIGTERM, wait, SIGKILL — here to the whole group. A closed
// hurry skips the waiting.
func (p *process) stop(grace time.Duration, hurry <-chan struct{}) {
	_ = p.stdin.Close()
	if p.awaitExit(grace, hurry) {
		return
	}
	p.signal(syscall.SIGTERM)
	if p.awaitExit(grace, hurry) {
		return
	}
	p.kill()
	<-p.exited
}

func (p *process) awaitExit(d time.Duration, hurry <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.exited:
		return true
	case <-hurry:
		return false
	case <-t.C:
		return false
	}
}

// exitDescription says how the process ended, for errors and status.
func (p *process) exitDescription() string {
	var ee *exec.ExitError
	switch {
	case p.exitErr == nil:
		return "process exited with status 0"
	case errors.As(p.exitErr, &ee):
		return "process " + ee.ProcessState.String() // "exit status 3", "signal: killed"
	default:
		return "process wait failed: " + p.exitErr.Error()
	}
}

// lookPath finds file in the upstream's PATH (not the gateway's: the
// server's env may set its own). Relative PATH entries are skipped, as
// exec.LookPath refuses them: they would resolve against the gateway's
// working directory.
func lookPath(file, path string) (string, error) {
	if strings.Contains(file, "/") {
		return file, nil
	}
	for _, dir := range filepath.SplitList(path) {
		if !filepath.IsAbs(dir) {
			continue
		}
		candidate := filepath.Join(dir, file)
		if fi, err := os.Stat(candidate); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("executable %q not found in PATH", file)
}
