package upstream

import (
	"context"
	"slices"
	"time"
)

// stopLocked asks inst's watcher to stop it (gracefully: stdin, SIGTERM,
// SIGKILL to the group) and takes it out of its slot, so that new calls
// start a fresh process.
func (p *Pool) stopLocked(inst *instance, reason string) {
	if inst.stopping {
		return
	}
	inst.stopping = true
	inst.stopReason = reason
	p.detachLocked(inst)
	close(inst.stopReq)
}

// detachLocked takes inst out of its slot if it is the slot's process.
func (p *Pool) detachLocked(inst *instance) {
	if inst.slot.inst == inst {
		inst.slot.inst = nil
	}
}

// retireLocked removes sl from the pool. Its process finishes the calls in
// flight (bounded by CallTimeout) and is then stopped; a start in flight
// completes for the callers waiting on it, then drains the same way.
func (p *Pool) retireLocked(sl *slot) {
	sl.retired = true
	delete(p.slots, sl.key)
	if inst := sl.inst; inst != nil {
		inst.draining = true
		if inst.users == 0 {
			p.stopLocked(inst, "retired")
		}
	}
}

// Retire drains and stops the processes of an isolation key: those of the
// named servers, or all of them when no server is named. Use it when a
// server is removed from a configuration or a configuration is deleted;
// an edited server needs nothing (its new definition supersedes the old on
// first use). It returns how many server definitions were retired.
func (p *Pool) Retire(isolation string, servers ...string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for k, sl := range p.slots {
		if k.isolation == isolation && (len(servers) == 0 || slices.Contains(servers, k.server)) {
			p.retireLocked(sl)
			n++
		}
	}
	return n
}

// reap stops idle processes and forgets idle slots, until Close.
func (p *Pool) reap() {
	defer p.wg.Done()
	interval := min(max(p.opts.IdleTimeout/4, 10*time.Millisecond), 30*time.Second)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-p.ctx.Done():
			return
		case now := <-t.C:
			p.reapOnce(now)
		}
	}
}

func (p *Pool) reapOnce(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for inst := range p.procs {
		if !inst.stopping && inst.users == 0 && now.Sub(inst.lastUsed) >= p.opts.IdleTimeout {
			p.stopLocked(inst, "idle")
		}
	}
	// A slot without a process keeps its state and last error for status,
	// and its failures for the breaker, until unused for forgetAfter.
	forgetAfter := max(2*p.opts.IdleTimeout, p.opts.BreakerWindow)
	for k, sl := range p.slots {
		if sl.inst == nil && sl.start == nil && !sl.breaker.open(now) && now.Sub(sl.lastUsed) >= forgetAfter {
			delete(p.slots, k)
		}
	}
}

// Close stops every process and what it started, and waits until they are
// gone. Processes get StopGrace twice (after stdin is closed, after
// SIGTERM); when ctx ends first, they are killed at once and Close still
// waits for them (a SIGKILLed process exits promptly), then returns
// ctx.Err(). Calls in flight fail; later calls return ErrClosed.
func (p *Pool) Close(ctx context.Context) error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		p.stop()
		for inst := range p.procs {
			p.stopLocked(inst, "shutdown")
		}
	}
	p.mu.Unlock()

	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	p.mu.Lock()
	select {
	case <-p.hurry:
	default:
		close(p.hurry)
	}
	p.mu.Unlock()
	<-done
	return ctx.Err()
}
