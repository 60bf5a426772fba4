package upstream

import (
	"context"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Discover starts a throwaway process of spec, lists its tools and stops
// it: for an administrator checking a new or edited server before anyone
// uses it. It shares nothing with pooled processes (no breaker, no reuse)
// but counts against MaxProcesses while it runs. Failures are
// *ProcessError, whose Stderr helps to see why.
func (p *Pool) Discover(ctx context.Context, spec Spec) ([]*mcp.Tool, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	sl := &slot{key: poolKey{server: spec.Name, spec: spec.Key()}, spec: spec, discovery: true}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	if err := p.makeRoomLocked(); err != nil {
		p.mu.Unlock()
		return nil, err
	}
	p.starting++
	p.wg.Add(1) // Close waits for this start too
	p.mu.Unlock()

	// The start ends with ctx or with the pool.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(p.ctx, cancel)()
	began := time.Now()
	inst, err := p.launch(ctx, sl)

	p.mu.Lock()
	p.starting--
	if err == nil {
		inst.users = 1 // keeps the reaper away while it lists
		p.procs[inst] = struct{}{}
		p.wg.Add(1)
		go p.watch(inst)
		if p.closed { // Close did not see it
			p.stopLocked(inst, "shutdown")
		}
	}
	p.mu.Unlock()
	p.wg.Done()
	p.processStarted(sl, inst, time.Since(began), err)
	if err != nil {
		return nil, err
	}

	lctx, lcancel := context.WithTimeoutCause(ctx, p.opts.CallTimeout, errCallDeadline)
	tools, err := listTools(lctx, inst.session)
	err = p.classify(ctx, lctx, inst, err)
	lcancel()
	p.mu.Lock()
	inst.users = 0
	p.stopLocked(inst, "discovered")
	p.mu.Unlock()
	return tools, err
}
