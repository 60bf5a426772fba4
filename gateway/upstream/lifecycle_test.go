package upstream

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestStopKillsTheProcessGroup(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{})
	spec := serveSpec("spawner", "-spawn")

	leader := refOf(pidOf(t, p, "iso", spec))
	childPID, _ := strconv.Atoi(call(t, p, "iso", spec, "child", "{}"))
	child := refOf(childPID)
	if childPID == 0 || child.gone() {
		t.Fatalf("no grandchild running (pid %d)", childPID)
	}
	p.Retire("iso")
	eventually(t, 10*time.Second, "leader gone", leader.gone)
	eventually(t, 10*time.Second, "grandchild gone", child.gone)
}

func TestCrashKillsTheProcessGroup(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{})
	spec := serveSpec("spawner-crash", "-spawn")

	childPID, _ := strconv.Atoi(call(t, p, "iso", spec, "child", "{}"))
	child := refOf(childPID)
	_, err := p.CallTool(context.Background(), "iso", spec, ToolCall{Name: "crash"})
	isKind(t, err, ErrUpstreamCrashed)
	// The grandchild holds stderr: the crash must neither wait for it nor
	// leave it behind.
	eventually(t, 10*time.Second, "grandchild gone", child.gone)
}

func TestIdleProcessIsStopped(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	p := newPool(t, Options{IdleTimeout: 200 * time.Millisecond, Observer: rec})
	spec := serveSpec("idle")

	first := refOf(pidOf(t, p, "iso", spec))
	eventually(t, 10*time.Second, "idle process gone", first.gone)
	eventually(t, 5*time.Second, "stopped event", func() bool { return rec.count(EventStopped) == 1 })
	rec.mu.Lock()
	for _, ev := range rec.procs {
		if ev.Kind == EventStopped && ev.Reason != "idle" {
			t.Errorf("stopped for %q, want idle", ev.Reason)
		}
	}
	rec.mu.Unlock()
	if st := statusOf(p, "iso", "idle"); len(st) != 1 || st[0].State != StateStopped || st[0].PID != 0 {
		t.Errorf("status = %+v, want stopped without pid", st)
	}
	if pid := pidOf(t, p, "iso", spec); pid == first.pid {
		t.Error("a stopped process served a call")
	}
}

func TestUnusedEntriesAreForgotten(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{IdleTimeout: time.Hour, BreakerWindow: time.Minute, BreakerCooldown: time.Second})
	_, err := p.CallTool(context.Background(), "iso", Spec{Name: "missing", Command: "/nonexistent"}, ToolCall{Name: "x"})
	isKind(t, err, ErrStartFailed)
	now := time.Now()
	p.reapOnce(now.Add(time.Hour))
	if len(p.Status()) != 1 {
		t.Fatal("a failed entry was forgotten before 2×IdleTimeout")
	}
	p.reapOnce(now.Add(2*time.Hour + time.Second))
	if st := p.Status(); len(st) != 0 {
		t.Errorf("status = %+v, want the unused entry forgotten", st)
	}
}

func TestBusyProcessIsNotReaped(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{IdleTimeout: 100 * time.Millisecond})
	spec := serveSpec("busy-idle")
	// A call five idle timeouts long: the process must serve it to the end.
	if got := call(t, p, "iso", spec, "slow", `{"ms":500}`); got != "slept" {
		t.Fatalf("slow = %q", got)
	}
}

func TestCloseLeavesNothing(t *testing.T) {
	t.Parallel()
	p, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var refs []procRef
	for _, iso := range []string{"a", "b", "c"} {
		spec := serveSpec("close", "-spawn")
		refs = append(refs, refOf(pidOf(t, p, iso, spec)))
		childPID, _ := strconv.Atoi(call(t, p, iso, spec, "child", "{}"))
		refs = append(refs, refOf(childPID))
	}
	inFlight := make(chan error, 1)
	go func() {
		_, err := p.CallTool(context.Background(), "a", serveSpec("close", "-spawn"), ToolCall{Name: "slow", Arguments: []byte(`{"ms":60000}`)})
		inFlight <- err
	}()
	eventually(t, 5*time.Second, "call in flight", func() bool {
		st := statusOf(p, "a", "close")
		return len(st) == 1 && st[0].InFlight == 1
	})

	if err := p.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, r := range refs {
		if !r.gone() {
			t.Errorf("process %d still runs after Close", r.pid)
		}
	}
	isKind(t, <-inFlight, ErrClosed)
	_, err = p.CallTool(context.Background(), "a", serveSpec("close"), ToolCall{Name: "pid"})
	isKind(t, err, ErrClosed)
	if err := p.Close(context.Background()); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestCloseKillsWhenOutOfTime(t *testing.T) {
	t.Parallel()
	p, err := New(Options{StopGrace: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	// Ignores the end of stdin and SIGTERM: only SIGKILL ends it.
	ref := refOf(pidOf(t, p, "iso", serveSpec("stubborn", "-stubborn")))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	began := time.Now()
	if err := p.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close = %v, want the deadline", err)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("Close took %v with a 200ms deadline", took)
	}
	if !ref.gone() {
		t.Error("the stubborn process survived Close")
	}
}

func TestStopEscalatesToKill(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	p := newPool(t, Options{StopGrace: 100 * time.Millisecond, Observer: rec})
	ref := refOf(pidOf(t, p, "iso", serveSpec("stubborn", "-stubborn")))
	began := time.Now()
	p.Retire("iso")
	eventually(t, 10*time.Second, "stubborn process gone", ref.gone)
	// stdin closed, 100ms, SIGTERM (ignored), 100ms, SIGKILL.
	if took := time.Since(began); took < 200*time.Millisecond {
		t.Errorf("gone after %v: the grace periods were skipped", took)
	}
	eventually(t, 5*time.Second, "stopped event", func() bool { return rec.count(EventStopped) == 1 })
}

func TestStartFailuresAreTypedAndQuick(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{StartTimeout: 500 * time.Millisecond})
	healthy := serveSpec("healthy")
	secret := modeSpec("exits", "exit")
	secret.Env = map[string]string{"SECRET_TOKEN": "s3cr3t-t0ken-value"}

	cases := []struct {
		spec   Spec
		kind   error
		detail string // in the error or the stderr tail
	}{
		{Spec{Name: "missing", Command: "no-such-command-for-upstream-tests"}, ErrStartFailed, "not found"},
		{Spec{Name: "missing-path", Command: "/nonexistent/server"}, ErrStartFailed, "no such file"},
		{modeSpec("garbage", "garbage"), ErrStartFailed, "invalid character"},
		{secret, ErrStartFailed, "fatal: cannot log in"},
		{modeSpec("silent", "silent"), ErrStartTimeout, "initialize"},
	}
	for _, tc := range cases {
		t.Run(tc.spec.Name, func(t *testing.T) {
			t.Parallel()
			began := time.Now()
			_, err := p.CallTool(context.Background(), "iso", tc.spec, ToolCall{Name: "pid"})
			took := time.Since(began)
			isKind(t, err, tc.kind)
			if took > 500*time.Millisecond+2*time.Second {
				t.Errorf("failed after %v, want within the start timeout", took)
			}
			var pe *ProcessError
			if !errors.As(err, &pe) {
				t.Fatalf("%T is not a *ProcessError", err)
			}
			if !strings.Contains(err.Error()+pe.Stderr, tc.detail) {
				t.Errorf("error %q, stderr %q: want %q", err, pe.Stderr, tc.detail)
			}
			if strings.Contains(err.Error()+pe.Stderr, "s3cr3t") {
				t.Errorf("an env value leaked: %q / %q", err, pe.Stderr)
			}
			if pe.PID != 0 && !refOf(pe.PID).gone() {
				t.Errorf("failed process %d still runs", pe.PID)
			}
			st := statusOf(p, "iso", tc.spec.Name)
			if len(st) != 1 || st[0].State != StateFailed || !strings.Contains(st[0].LastError, tc.kind.Error()) {
				t.Errorf("status = %+v, want failed with %q", st, tc.kind)
			}
			if strings.Contains(st[0].LastError+st[0].Stderr, "s3cr3t") {
				t.Errorf("an env value leaked into status: %+v", st[0])
			}
		})
	}
	// Meanwhile, and after, other servers work.
	t.Run("healthy", func(t *testing.T) {
		t.Parallel()
		if got := call(t, p, "iso", healthy, "add", `{"a":2,"b":3}`); got != "5" {
			t.Errorf("add = %q", got)
		}
	})
}

func TestCrashFailsCallsInFlightAndRestartsWithBackoff(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	p := newPool(t, Options{RestartBackoff: time.Second, Observer: rec})
	spec := serveSpec("crashy")
	first := refOf(pidOf(t, p, "iso", spec))

	const inFlight = 3
	errs := make(chan error, inFlight)
	for range inFlight {
		go func() {
			_, err := p.CallTool(context.Background(), "iso", spec, ToolCall{Name: "slow", Arguments: []byte(`{"ms":60000}`)})
			errs <- err
		}()
	}
	eventually(t, 5*time.Second, "calls in flight", func() bool {
		st := statusOf(p, "iso", "crashy")
		return len(st) == 1 && st[0].InFlight == inFlight
	})
	_, err := p.CallTool(context.Background(), "iso", spec, ToolCall{Name: "crash"})
	isKind(t, err, ErrUpstreamCrashed)
	crashedAt := time.Now()
	var pe *ProcessError
	if !errors.As(err, &pe) || !strings.Contains(pe.Err.Error(), "exit status 3") || !strings.Contains(pe.Stderr, "crashing on purpose") {
		t.Errorf("crash error = %#v, want exit status 3 and the stderr tail", err)
	}
	for range inFlight {
		select {
		case err := <-errs:
			isKind(t, err, ErrUpstreamCrashed)
		case <-time.After(10 * time.Second):
			t.Fatal("a call in flight did not fail with the crash")
		}
	}
	if !first.gone() {
		t.Error("the crashed process still runs")
	}
	st := statusOf(p, "iso", "crashy")
	if len(st) != 1 || st[0].State != StateFailed || !strings.Contains(st[0].LastError, "exit status 3") {
		t.Errorf("status after the crash = %+v", st)
	}

	second := pidOf(t, p, "iso", spec)
	if second == first.pid {
		t.Fatal("served by the crashed process")
	}
	starts := rec.times(EventStarted)
	if len(starts) != 2 {
		t.Fatalf("%d starts, want 2", len(starts))
	}
	// crashedAt is a little after the pool saw the crash: allow for that.
	if gap := starts[1].Sub(crashedAt); gap < 800*time.Millisecond {
		t.Errorf("restarted %v after the crash, want the 1s backoff", gap)
	}
	if st := statusOf(p, "iso", "crashy"); len(st) != 1 || st[0].Restarts != 1 || st[0].State != StateReady {
		t.Errorf("status after the restart = %+v, want ready with one restart", st)
	}
	if rec.count(EventCrashed) != 1 {
		t.Errorf("%d crash events, want 1", rec.count(EventCrashed))
	}
}

// hammer calls spec from 8 goroutines until d has passed and returns the
// errors seen.
func hammer(p *Pool, spec Spec, tool string, d time.Duration) []error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	stop := time.Now().Add(d)
	for range 8 {
		wg.Go(func() {
			for time.Now().Before(stop) {
				ctx, cancel := context.WithTimeout(context.Background(), time.Until(stop)+time.Second)
				_, err := p.CallTool(ctx, "iso", spec, ToolCall{Name: tool})
				cancel()
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	return errs
}

func TestCircuitBreakerBoundsFailingStarts(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	p := newPool(t, Options{
		Observer: rec, RestartBackoff: 20 * time.Millisecond,
		BreakerThreshold: 3, BreakerWindow: time.Minute, BreakerCooldown: 400 * time.Millisecond,
	})
	spec := modeSpec("always-exits", "exit")

	errs := hammer(p, spec, "pid", 1200*time.Millisecond)
	attempts := rec.count(EventStartFailed)
	// 3 to open; then one half-open attempt per cool-down (at most 3 in 1.2s).
	if attempts < 3 || attempts > 6 {
		t.Errorf("%d start attempts in 1.2s, want 3 to 6", attempts)
	}
	open := 0
	for _, err := range errs {
		switch {
		case errors.Is(err, ErrCircuitOpen):
			open++
		case errors.Is(err, context.DeadlineExceeded):
			// A caller still waiting on the last half-open start when its
			// own deadline passed (a slow machine): its deadline, not ours.
		default:
			isKind(t, err, ErrStartFailed)
		}
	}
	if open == 0 || len(errs) < 50 {
		t.Errorf("%d calls, %d failed fast: want most to fail fast", len(errs), open)
	}
	// One more call: failed fast, or a half-open attempt that reopens it.
	_, err := p.CallTool(context.Background(), "iso", spec, ToolCall{Name: "pid"})
	if !errors.Is(err, ErrCircuitOpen) && !errors.Is(err, ErrStartFailed) {
		t.Errorf("call after the hammering: %v", err)
	}
	st := statusOf(p, "iso", "always-exits")
	if len(st) != 1 || st[0].State != StateCircuitOpen || st[0].RetryAfter.IsZero() || !strings.Contains(st[0].LastError, "exit status 2") {
		t.Errorf("status = %+v, want circuit_open with the last error", st)
	}
}

func TestCircuitBreakerBoundsCrashLoops(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	p := newPool(t, Options{
		Observer: rec, RestartBackoff: 20 * time.Millisecond,
		BreakerThreshold: 3, BreakerWindow: time.Minute, BreakerCooldown: time.Minute,
	})
	spec := serveSpec("crash-loop")

	// Hammer until the circuit opens (three crashes), however slowly a busy
	// machine starts the processes; the cool-down outlasts the test.
	deadline := time.Now().Add(30 * time.Second)
	isOpen := func(err error) bool { return errors.Is(err, ErrCircuitOpen) }
	for opened := false; !opened && time.Now().Before(deadline); {
		opened = slices.ContainsFunc(hammer(p, spec, "crash", 200*time.Millisecond), isOpen)
	}
	_ = hammer(p, spec, "crash", 200*time.Millisecond) // calls while open start nothing
	if starts := rec.count(EventStarted); starts != 3 {
		t.Errorf("%d processes started, want 3 (the threshold)", starts)
	}
	_, last := p.CallTool(context.Background(), "iso", spec, ToolCall{Name: "crash"})
	isKind(t, last, ErrCircuitOpen)
	if !strings.Contains(last.Error(), "exit status 3") {
		t.Errorf("circuit error %q does not say why", last)
	}
}
