package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ProgressFunc receives the progress notifications of one call, all of them
// before CallTool returns. Their ProgressToken is nil: the pool sends tokens
// of its own upstream (one process serves many clients, whose tokens may
// collide), and the caller puts back its client's token. It runs on the
// connection's reading goroutine, so it must not block.
type ProgressFunc func(params *mcp.ProgressNotificationParams)

// instance is one process with its MCP session.
type instance struct {
	slot      *slot
	proc      *process
	session   *mcp.ClientSession
	conn      *watchedConn
	redact    func(string) string
	startedAt time.Time
	sem       chan struct{} // one element per call being served

	stopReq chan struct{} // closed when the pool decides to stop it
	down    chan struct{} // closed once the process is gone and the session closed
	downErr error         // the crash cause (nil after a requested stop); read after down

	progressMu sync.Mutex
	progress   map[string]ProgressFunc
	nextToken  uint64

	// The tool list is asked once per process and kept until the upstream
	// says it changed (notifications/tools/list_changed): a warm tools/list
	// then costs no round trip.
	toolsMu  sync.Mutex
	tools    []*mcp.Tool
	toolsGen uint64 // bumped by each change notice; a list read before it is stale
	toolsOK  bool

	// Guarded by Pool.mu.
	users      int // calls serving or waiting for a slot, plus transferred start waiters
	lastUsed   time.Time
	draining   bool   // its spec was retired: stop when users reaches 0
	stopping   bool   // stopReq is closed
	stopReason string // idle, retired, evicted, shutdown
}

// launch starts spec's process and completes the MCP handshake within
// StartTimeout (and ctx). On failure the process is gone before it returns.
func (p *Pool) launch(ctx context.Context, sl *slot) (*instance, error) {
	spec := sl.spec
	if err := ctx.Err(); err != nil {
		return nil, &ProcessError{Kind: ErrClosed, Server: spec.Name, Err: err}
	}
	env := spec.Env
	if spec.OpenEnv != nil {
		// The env in clear exists from here to the process's start, and in
		// the redactor of what the process writes.
		var err error
		if env, err = spec.OpenEnv(); err != nil {
			return nil, &ProcessError{Kind: ErrStartFailed, Server: spec.Name, Err: fmt.Errorf("open the server's env: %w", err)}
		}
	}
	proc, err := startProcess(spec, processEnv(p.env, env), p.opts.StderrTailBytes)
	if err != nil {
		return nil, &ProcessError{Kind: ErrStartFailed, Server: spec.Name, Err: err}
	}
	replacer := redactor(env)
	inst := &instance{
		slot:      sl,
		proc:      proc,
		redact:    replacer.Replace,
		startedAt: time.Now(),
		sem:       make(chan struct{}, p.opts.MaxCallsPerProcess),
		stopReq:   make(chan struct{}),
		down:      make(chan struct{}),
		progress:  make(map[string]ProgressFunc),
	}
	inst.conn = newWatchedConn(inst.onNotification)
	client := mcp.NewClient(&mcp.Implementation{Name: p.opts.ClientName, Version: p.opts.ClientVersion}, &mcp.ClientOptions{
		Logger: p.slog,
		// The gateway offers upstreams no roots, sampling or elicitation.
		Capabilities: &mcp.ClientCapabilities{},
		// Results go back to the caller as the upstream sent them.
		MultiRoundTrip: &mcp.MultiRoundTripOptions{Disabled: true},
		// A handler makes the SDK ask for list changes (on the 2026
		// protocol, with a subscriptions/listen stream): the kept tool list
		// is dropped when the upstream's changes.
		ToolListChangedHandler: func(context.Context, *mcp.ToolListChangedRequest) { inst.forgetTools() },
	})
	transport := &stdioTransport{
		io: mcp.IOTransport{
			Reader:        newLineLimitReader(proc.stdout, p.opts.MaxMessageBytes),
			Writer:        proc.stdin,
			MaxLineLength: -1, // lineLimitReader bounds it, with a typed error
		},
		conn: inst.conn,
	}
	sctx, cancel := context.WithTimeoutCause(ctx, p.opts.StartTimeout, errStartDeadline)
	defer cancel()
	// Connect can block on a process that never answers (or never reads its
	// stdin); killing it unblocks every read and write.
	stopKill := context.AfterFunc(sctx, proc.kill)
	inst.session, err = client.Connect(sctx, transport, nil)
	if !stopKill() && err == nil {
		_ = inst.session.Close()
		err = context.Cause(sctx)
	}
	if err != nil {
		proc.kill()
		<-proc.exited
		_, _ = proc.stdout.Close(), proc.stdin.Close()
		kind, cerr := ErrStartFailed, inst.conn.failure()
		switch {
		case errors.Is(context.Cause(sctx), errStartDeadline):
			kind, err = ErrStartTimeout, fmt.Errorf("no answer to initialize within %v", p.opts.StartTimeout)
		case ctx.Err() != nil:
			kind, err = ErrClosed, ctx.Err()
		case isStreamError(cerr): // says more than the SDK's "calling initialize: ..."
			err = fmt.Errorf("reading stdout: %w (%s)", cerr, proc.exitDescription())
		case errors.Is(cerr, io.EOF):
			err = fmt.Errorf("%s during the handshake", proc.exitDescription())
		default: // e.g. an error answer to initialize
			err = fmt.Errorf("%w (%s)", err, proc.exitDescription())
		}
		return nil, &ProcessError{Kind: kind, Server: spec.Name, PID: proc.pid, Err: redactedError{err, replacer}, Stderr: inst.redact(proc.stderr.String())}
	}
	return inst, nil
}

// redactedError is an error whose text may quote the upstream (an error
// answer to initialize), shown with the server's env values redacted.
type redactedError struct {
	err    error
	redact *strings.Replacer
}

func (e redactedError) Error() string { return e.redact.Replace(e.err.Error()) }
func (e redactedError) Unwrap() error { return e.err }

// errStartDeadline marks the start timeout apart from a cancelled ctx.
var errStartDeadline = errors.New("start deadline")

// onNotification routes a progress notification to the call that owns its
// token. Other notifications (logging, list changes) are not forwarded.
func (inst *instance) onNotification(req *jsonrpc.Request) {
	if req.Method != "notifications/progress" {
		return
	}
	var params mcp.ProgressNotificationParams
	if err := json.Unmarshal(req.Params, &params); err != nil {
		return
	}
	token, ok := params.ProgressToken.(string)
	if !ok {
		return
	}
	inst.progressMu.Lock()
	f := inst.progress[token]
	inst.progressMu.Unlock()
	if f != nil {
		params.ProgressToken = nil
		f(&params)
	}
}

// cachedTools returns the kept tool list, if any, and the generation to
// store a fresh list under.
func (inst *instance) cachedTools() ([]*mcp.Tool, uint64, bool) {
	inst.toolsMu.Lock()
	defer inst.toolsMu.Unlock()
	return inst.tools, inst.toolsGen, inst.toolsOK
}

// keepTools keeps a list read at generation gen, unless a change notice
// arrived meanwhile, and returns the list to hand out: the first one kept
// for a generation, so that listings read at the same time all hand out the
// same slice (callers tell an unchanged list by its identity).
func (inst *instance) keepTools(gen uint64, tools []*mcp.Tool) []*mcp.Tool {
	inst.toolsMu.Lock()
	defer inst.toolsMu.Unlock()
	if gen != inst.toolsGen {
		return tools
	}
	if inst.toolsOK {
		return inst.tools
	}
	inst.tools, inst.toolsOK = tools, true
	return tools
}

func (inst *instance) forgetTools() {
	inst.toolsMu.Lock()
	defer inst.toolsMu.Unlock()
	inst.toolsGen++
	inst.tools, inst.toolsOK = nil, false
}

// watchProgress registers f for one call and returns the token to send.
func (inst *instance) watchProgress(f ProgressFunc) (token string, unwatch func()) {
	inst.progressMu.Lock()
	defer inst.progressMu.Unlock()
	inst.nextToken++
	token = "smg-" + strconv.FormatUint(inst.nextToken, 10)
	inst.progress[token] = f
	return token, func() {
		inst.progressMu.Lock()
		delete(inst.progress, token)
		inst.progressMu.Unlock()
	}
}

// watch owns the end of an instance: it waits for a crash (exit, broken
// stream) or a stop request, makes sure the whole group is gone, closes the
// session, and records the outcome.
func (p *Pool) watch(inst *instance) {
	defer p.wg.Done()
	select {
	case <-inst.proc.exited:
	case <-inst.conn.broken:
	case <-inst.stopReq:
	}
	// A crash is recorded at once: new calls start a fresh process, and
	// that start is paced by this failure.
	p.mu.Lock()
	crashed := !inst.stopping
	if crashed {
		p.detachLocked(inst)
		inst.slot.breaker.failure(time.Now(), &p.opts)
		inst.slot.failed = true
	}
	p.mu.Unlock()

	var cause error
	if crashed {
		inst.proc.kill()
		<-inst.proc.exited
		cause = inst.crashCause() // before our closing below fails the stream too
	} else {
		inst.proc.stop(p.opts.StopGrace, p.hurry)
	}
	_, _ = inst.proc.stdout.Close(), inst.proc.stdin.Close()
	_ = inst.session.Close() // prompt: the reader has failed, so no call is left waiting

	p.mu.Lock()
	delete(p.procs, inst)
	if crashed {
		inst.slot.noteError(&ProcessError{
			Kind: ErrUpstreamCrashed, Server: inst.slot.spec.Name, PID: inst.proc.pid, Err: cause,
			Stderr: inst.redact(inst.proc.stderr.String()),
		})
	}
	inst.downErr = cause
	close(inst.down)
	reason := inst.stopReason
	p.mu.Unlock()
	p.processDown(inst, reason, cause)
}

// crashCause explains an unrequested end: the stream's failure when the
// stream broke first (garbage, over-long message), else the exit status.
func (inst *instance) crashCause() error {
	desc := inst.proc.exitDescription()
	if err := inst.conn.failure(); isStreamError(err) {
		return fmt.Errorf("reading stdout: %w (%s)", err, desc)
	}
	return errors.New(desc)
}

// isStreamError tells a failure of what the process wrote (garbage, an
// over-long message) from the end of the stream (EOF, or our closing it).
func isStreamError(err error) bool {
	return err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed)
}
