package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// maxToolPages bounds tools/list pagination: a server that keeps returning
// a cursor must not keep a call going forever.
const maxToolPages = 100

// downWait bounds how long a failed call waits for the crashed process to
// be gone, to report its exit status; a SIGKILLed process takes
// milliseconds.
const downWait = 5 * time.Second

// errCallDeadline marks CallTimeout apart from the caller's own deadline.
var errCallDeadline = errors.New("call deadline")

// ToolCall is one tools/call to forward.
type ToolCall struct {
	// Name is the tool's name on the upstream.
	Name string
	// Arguments is sent as is (a JSON object; empty sends {}): the pool
	// never decodes it, so numbers keep their precision and form. Only
	// insignificant whitespace is lost (the SDK compacts it).
	Arguments json.RawMessage
	// Meta is forwarded as the request's _meta, without its progressToken:
	// the pool sets its own when Progress is set.
	Meta mcp.Meta
	// InputResponses and RequestState are forwarded for multi-round-trip
	// tools; an input-required result comes back unchanged.
	InputResponses mcp.InputResponseMap
	RequestState   string
	// Progress, when set, receives the upstream's progress notifications.
	Progress ProgressFunc
}

// CallTool forwards a tools/call to the process of (isolation, spec),
// starting it if needed, and returns the upstream's result unchanged —
// every content kind, structuredContent, isError. Cancelling ctx, or
// CallTimeout, sends notifications/cancelled upstream.
//
// Errors: a *jsonrpc.Error is the upstream's own answer; otherwise one of
// the kinds in errors.go (ErrUpstreamCrashed, ErrCallTimeout, ...) or ctx's.
func (p *Pool) CallTool(ctx context.Context, isolation string, spec Spec, call ToolCall) (*mcp.CallToolResult, error) {
	if call.Name == "" {
		return nil, fmt.Errorf("%w: tool name is empty", ErrInvalidCall)
	}
	if len(call.Arguments) > 0 && !isJSONObject(call.Arguments) {
		return nil, fmt.Errorf("%w: arguments of %q are not a JSON object", ErrInvalidCall, call.Name)
	}
	var res *mcp.CallToolResult
	err := p.do(ctx, isolation, spec, "tools/call", call.Name, func(ctx context.Context, inst *instance) error {
		params := &mcp.CallToolParams{
			Name:           call.Name,
			Meta:           maps.Clone(call.Meta),
			InputResponses: call.InputResponses,
			RequestState:   call.RequestState,
		}
		if len(call.Arguments) > 0 {
			params.Arguments = call.Arguments // an empty RawMessage would be sent as null
		}
		delete(params.Meta, "progressToken")
		if call.Progress != nil {
			token, unwatch := inst.watchProgress(call.Progress)
			defer unwatch()
			params.SetProgressToken(token)
		}
		var err error
		res, err = inst.session.CallTool(ctx, params)
		return err
	})
	return res, err
}

// ListTools returns every tool of the process of (isolation, spec), all
// pages, starting the process if needed. The list is read once per process
// and kept until the upstream announces a change; callers must not modify
// the tools returned.
func (p *Pool) ListTools(ctx context.Context, isolation string, spec Spec) ([]*mcp.Tool, error) {
	var tools []*mcp.Tool
	err := p.do(ctx, isolation, spec, "tools/list", "", func(ctx context.Context, inst *instance) error {
		cached, gen, ok := inst.cachedTools()
		if ok {
			tools = cached
			return nil
		}
		read, err := listTools(ctx, inst.session)
		if err == nil {
			tools = inst.keepTools(gen, read)
		}
		return err
	})
	return tools, err
}

// RefreshTools forgets the kept tool lists of an isolation key's processes
// (all servers, or those named): the next ListTools asks the upstream again.
func (p *Pool) RefreshTools(isolation string, servers ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, sl := range p.slots {
		if k.isolation == isolation && (len(servers) == 0 || slices.Contains(servers, k.server)) && sl.inst != nil {
			sl.inst.forgetTools()
		}
	}
}

func listTools(ctx context.Context, session *mcp.ClientSession) ([]*mcp.Tool, error) {
	var tools []*mcp.Tool
	params := &mcp.ListToolsParams{}
	for range maxToolPages {
		res, err := session.ListTools(ctx, params)
		if err != nil {
			return nil, err
		}
		tools = append(tools, res.Tools...)
		if res.NextCursor == "" {
			return tools, nil
		}
		params.Cursor = res.NextCursor
	}
	return nil, fmt.Errorf("tools/list: more than %d pages", maxToolPages)
}

// do runs f on the process of (isolation, spec) within CallTimeout, and
// turns its failure into the pool's error kinds.
func (p *Pool) do(ctx context.Context, isolation string, spec Spec, method, tool string, f func(context.Context, *instance) error) error {
	if err := spec.Validate(); err != nil {
		return err
	}
	began := time.Now()
	inst, err := p.acquire(ctx, isolation, spec)
	if err == nil {
		if err = p.enter(ctx, inst); err == nil {
			cctx, cancel := context.WithTimeoutCause(ctx, p.opts.CallTimeout, errCallDeadline)
			err = p.classify(ctx, cctx, inst, f(cctx, inst))
			cancel()
			<-inst.sem
		}
		var rpcErr *jsonrpc.Error
		p.release(inst, err == nil || errors.As(err, &rpcErr)) // the upstream answered
	}
	p.opts.Observer.CallDone(CallEvent{
		Isolation: isolation, Server: spec.Name, Method: method, Tool: tool,
		Duration: time.Since(began), Err: err,
	})
	return err
}

// classify maps the SDK's error for a call on inst.
func (p *Pool) classify(ctx, cctx context.Context, inst *instance, err error) error {
	name := inst.slot.spec.Name
	var rpcErr *jsonrpc.Error
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("upstream %q: %w", name, ctx.Err())
	case errors.Is(context.Cause(cctx), errCallDeadline):
		return fmt.Errorf("%w: upstream %q did not answer within %v", ErrCallTimeout, name, p.opts.CallTimeout)
	case errors.As(err, &rpcErr):
		return fmt.Errorf("upstream %q: %w", name, err)
	case inst.conn.failure() != nil:
		return p.downError(inst, err)
	default:
		return fmt.Errorf("upstream %q: %w", name, err)
	}
}

// downError waits (briefly) for a failed inst to be gone and describes why.
func (p *Pool) downError(inst *instance, callErr error) error {
	t := time.NewTimer(downWait)
	defer t.Stop()
	select {
	case <-inst.down:
	case <-t.C:
	}
	p.mu.Lock()
	closed := inst.stopping && inst.stopReason == "shutdown"
	p.mu.Unlock()
	cause := callErr
	select {
	case <-inst.down:
		if inst.downErr != nil {
			cause = inst.downErr
		}
	default:
	}
	if closed {
		return &ProcessError{Kind: ErrClosed, Server: inst.slot.spec.Name, PID: inst.proc.pid, Err: cause}
	}
	return &ProcessError{
		Kind:   ErrUpstreamCrashed,
		Server: inst.slot.spec.Name,
		PID:    inst.proc.pid,
		Err:    cause,
		Stderr: inst.redact(inst.proc.stderr.String()),
	}
}

func isJSONObject(b json.RawMessage) bool {
	return json.Valid(b) && bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("{"))
}
