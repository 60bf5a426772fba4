package upstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Pool starts MCP server processes on first use, shares each across the
// concurrent calls of its key, and stops them when idle, superseded, failed
// or closed. It knows nothing of users, keys or policies: the caller passes
// an opaque isolation key ("user/project", or "config" for processes shared
// by a whole configuration) with every call.
//
// A process is identified by (isolation key, server name, Spec.Key()).
// Every method is safe for concurrent use.
type Pool struct {
	opts  Options
	log   *zap.Logger
	slog  *slog.Logger
	env   map[string]string // the allow-listed part of the gateway's environment
	ctx   context.Context   // cancelled by Close: aborts starts and the reaper
	stop  context.CancelFunc
	hurry chan struct{} // closed when Close runs out of time: stops skip their grace
	wg    sync.WaitGroup

	mu       sync.Mutex
	closed   bool
	slots    map[poolKey]*slot
	procs    map[*instance]struct{} // every live process, attached or not
	starting int                    // starts in flight, counted against MaxProcesses
}

type poolKey struct {
	isolation, server, spec string
}

// slot is the pool's record of one key: its current process, the start in
// flight, and the failure history that paces restarts.
type slot struct {
	key       poolKey
	spec      Spec
	inst      *instance  // the ready process, if any
	start     *startCall // the start in flight, if any
	retired   bool       // removed from the pool: its process drains
	discovery bool       // a throwaway slot of Discover, never in the pool
	breaker   breaker
	// For status.
	lastUsed   time.Time
	failed     bool // the last start or process failed
	lastErr    error
	lastErrAt  time.Time
	lastStderr string
	starts     int
}

// startCall is one start, awaited by every caller that needs it: concurrent
// first calls start one process.
type startCall struct {
	done    chan struct{}
	waiters int       // callers waiting; each gets a use of the instance
	inst    *instance // set before done is closed, on success
	err     error     // set before done is closed, on failure
}

// New builds a pool. It reads the allow-listed environment now.
func New(opts Options) (*Pool, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Pool{
		opts:  o,
		log:   o.Logger.Named("upstream"),
		env:   inheritedEnv(o.EnvAllowList),
		ctx:   ctx,
		stop:  cancel,
		hurry: make(chan struct{}),
		slots: make(map[poolKey]*slot),
		procs: make(map[*instance]struct{}),
	}
	p.slog = slog.New(zapHandler{log: p.log.Named("sdk")})
	p.wg.Add(1)
	go p.reap()
	return p, nil
}

// acquire returns the ready process of the key, starting it if needed, and
// counts the caller as one of its users; release undoes that.
func (p *Pool) acquire(ctx context.Context, isolation string, spec Spec) (*instance, error) {
	key := poolKey{isolation: isolation, server: spec.Name, spec: spec.Key()}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	sl := p.slotLocked(key, spec)
	sl.lastUsed = time.Now()
	if inst := sl.inst; inst != nil {
		inst.users++
		inst.lastUsed = sl.lastUsed
		p.mu.Unlock()
		return inst, nil
	}
	if sl.start == nil {
		if err := p.beginStartLocked(sl); err != nil {
			p.mu.Unlock()
			return nil, err
		}
	}
	sc := sl.start
	sc.waiters++
	p.mu.Unlock()

	select {
	case <-sc.done:
		return sc.inst, sc.err
	case <-ctx.Done():
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-sc.done: // finished meanwhile: our use was handed over, give it back
		if sc.inst != nil {
			p.releaseLocked(sc.inst)
		}
	default:
		sc.waiters--
	}
	return nil, fmt.Errorf("upstream %q: waiting for start: %w", spec.Name, ctx.Err())
}

// release ends a use of inst; ok reports a call that worked.
func (p *Pool) release(inst *instance, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ok {
		inst.slot.breaker.success()
	}
	p.releaseLocked(inst)
}

func (p *Pool) releaseLocked(inst *instance) {
	inst.users--
	inst.lastUsed = time.Now()
	if inst.draining && inst.users == 0 {
		p.stopLocked(inst, "retired")
	}
}

// enter takes one of inst's call slots, waiting at most CallQueueWait.
func (p *Pool) enter(ctx context.Context, inst *instance) error {
	select {
	case inst.sem <- struct{}{}:
		return nil
	default:
	}
	full := fmt.Errorf("%w: upstream %q is serving %d calls (the maximum per process)",
		ErrAtCapacity, inst.slot.spec.Name, p.opts.MaxCallsPerProcess)
	if p.opts.CallQueueWait < 0 {
		return full
	}
	t := time.NewTimer(p.opts.CallQueueWait)
	defer t.Stop()
	select {
	case inst.sem <- struct{}{}:
		return nil
	case <-t.C:
		return full
	case <-inst.down:
		return p.downError(inst, nil)
	case <-ctx.Done():
		return fmt.Errorf("upstream %q: waiting for a call slot: %w", inst.slot.spec.Name, ctx.Err())
	}
}

// slotLocked returns the slot of key, creating it. A new definition of a
// server supersedes the others of the same isolation key and name: their
// processes drain and stop (a configuration edit).
func (p *Pool) slotLocked(key poolKey, spec Spec) *slot {
	if sl := p.slots[key]; sl != nil {
		return sl
	}
	for k, other := range p.slots {
		if k.isolation == key.isolation && k.server == key.server {
			p.retireLocked(other)
		}
	}
	sl := &slot{key: key, spec: spec}
	p.slots[key] = sl
	return sl
}

// beginStartLocked starts a process for sl in the background, after the
// breaker and the capacity allow it.
func (p *Pool) beginStartLocked(sl *slot) error {
	now := time.Now()
	if !sl.breaker.allowStart(now) {
		return &ProcessError{Kind: ErrCircuitOpen, Server: sl.spec.Name, Err: sl.lastFailure(), RetryAfter: sl.breaker.openUntil}
	}
	if err := p.makeRoomLocked(); err != nil {
		return err
	}
	sl.start = &startCall{done: make(chan struct{})}
	p.starting++
	p.wg.Add(1)
	go p.runStart(sl, sl.start, sl.breaker.delay(now, &p.opts))
	return nil
}

// makeRoomLocked lets one more process start: under MaxProcesses, or by
// stopping the least recently used idle one.
func (p *Pool) makeRoomLocked() error {
	live := p.starting
	var idlest *instance
	for inst := range p.procs {
		if inst.stopping {
			continue // on its way out, within StopGrace
		}
		live++
		if inst.users == 0 && (idlest == nil || inst.lastUsed.Before(idlest.lastUsed)) {
			idlest = inst
		}
	}
	if live < p.opts.MaxProcesses {
		return nil
	}
	if idlest == nil {
		return fmt.Errorf("%w: %d processes running or starting, all busy (maximum %d)", ErrAtCapacity, live, p.opts.MaxProcesses)
	}
	p.stopLocked(idlest, "evicted")
	return nil
}

func (p *Pool) runStart(sl *slot, sc *startCall, delay time.Duration) {
	defer p.wg.Done()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-p.ctx.Done():
		}
		t.Stop()
	}
	began := time.Now()
	inst, err := p.launch(p.ctx, sl)

	p.mu.Lock()
	p.starting--
	sl.start = nil
	if err != nil {
		sl.breaker.failure(time.Now(), &p.opts)
		sl.failed = true
		sl.noteError(err)
		sc.err = err
	} else {
		sl.starts++
		sl.failed = false
		inst.users = sc.waiters
		inst.lastUsed = time.Now()
		p.procs[inst] = struct{}{}
		p.wg.Add(1)
		go p.watch(inst)
		sl.inst = inst
		sc.inst = inst
		switch {
		case p.closed:
			p.stopLocked(inst, "shutdown")
			sc.inst, sc.err = nil, ErrClosed
		case sl.retired:
			inst.draining = true
			if inst.users == 0 {
				p.stopLocked(inst, "retired")
			}
		}
	}
	close(sc.done)
	p.mu.Unlock()
	p.processStarted(sl, inst, time.Since(began), err)
}

// noteError keeps the last failure of sl for status and circuit errors.
func (sl *slot) noteError(err error) {
	sl.lastErr = err
	sl.lastErrAt = time.Now()
	sl.lastStderr = ""
	var pe *ProcessError
	if errors.As(err, &pe) {
		sl.lastStderr = pe.Stderr
	}
}

// lastFailure is the cause of the last failure, for the circuit error.
func (sl *slot) lastFailure() error {
	var pe *ProcessError
	if errors.As(sl.lastErr, &pe) && pe.Err != nil {
		return fmt.Errorf("last failure: %w: %w", pe.Kind, pe.Err)
	}
	return sl.lastErr
}
