package upstream

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestCallsReuseOneProcess(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	p := newPool(t, Options{Observer: rec})
	spec := serveSpec("reuse")

	first := pidOf(t, p, "u1/p1", spec)
	for range 5 {
		if pid := pidOf(t, p, "u1/p1", spec); pid != first {
			t.Fatalf("call served by pid %d, want the first process %d", pid, first)
		}
	}
	if n := rec.count(EventStarted); n != 1 {
		t.Errorf("%d starts, want 1", n)
	}
	st := statusOf(p, "u1/p1", "reuse")
	if len(st) != 1 || st[0].State != StateReady || st[0].PID != first || st[0].Restarts != 0 ||
		st[0].SpecKey != spec.Key() || st[0].InFlight != 0 || st[0].LastError != "" ||
		st[0].StartedAt.IsZero() || st[0].Uptime <= 0 || st[0].Uptime > time.Since(st[0].StartedAt) {
		t.Errorf("status = %+v, want one ready entry for pid %d without restarts", st, first)
	}
}

func TestConcurrentFirstCallsStartOneProcess(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	p := newPool(t, Options{Observer: rec})
	spec := serveSpec("first")

	const n = 20
	pids := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { pids[i] = pidOf(t, p, "iso", spec) })
	}
	wg.Wait()
	for i, pid := range pids {
		if pid != pids[0] {
			t.Fatalf("call %d served by pid %d, call 0 by %d", i, pid, pids[0])
		}
	}
	if got := rec.count(EventStarted); got != 1 {
		t.Errorf("%d processes started for %d concurrent first calls, want 1", got, n)
	}
}

func TestOneProcessServesConcurrentCalls(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{MaxCallsPerProcess: 50})
	spec := serveSpec("concurrent")
	pid := pidOf(t, p, "iso", spec)

	const n, each = 50, 300 * time.Millisecond
	began := time.Now()
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			res, err := p.CallTool(context.Background(), "iso", spec, ToolCall{Name: "add", Arguments: []byte(fmt.Sprintf(`{"a":%d,"b":1}`, i))})
			if err == nil && firstText(t, res) != fmt.Sprint(i+1) {
				err = fmt.Errorf("add(%d,1) = %s", i, firstText(t, res))
			}
			if err == nil {
				_, err = p.CallTool(context.Background(), "iso", spec, ToolCall{Name: "slow", Arguments: []byte(fmt.Sprintf(`{"ms":%d}`, each.Milliseconds()))})
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Served one after the other, the slow calls alone would take n×each.
	if took := time.Since(began); took > n*each/4 {
		t.Errorf("%d concurrent calls of %v took %v: not served concurrently", n, each, took)
	}
	if got := pidOf(t, p, "iso", spec); got != pid {
		t.Errorf("pid changed from %d to %d", pid, got)
	}
}

func TestIsolationKeysAndNamesGetTheirOwnProcesses(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{})
	spec := serveSpec("iso")
	renamed := spec
	renamed.Name = "iso-renamed"

	a := pidOf(t, p, "user-a/project", spec)
	b := pidOf(t, p, "user-b/project", spec)
	c := pidOf(t, p, "user-a/project", renamed)
	if a == b || a == c || b == c {
		t.Fatalf("pids %d (a), %d (b), %d (a, other name): want three processes", a, b, c)
	}
	if again := pidOf(t, p, "user-a/project", spec); again != a {
		t.Errorf("user-a served by %d, then %d", a, again)
	}
	if n := len(p.Status()); n != 3 {
		t.Errorf("status has %d entries, want 3", n)
	}
}

func TestCallQueueFullIsAtCapacity(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{MaxCallsPerProcess: 2, CallQueueWait: 50 * time.Millisecond})
	spec := serveSpec("busy")
	pidOf(t, p, "iso", spec)

	release := slowCalls(t, p, "iso", spec, 2)
	eventually(t, 5*time.Second, "two calls in flight", func() bool {
		st := statusOf(p, "iso", "busy")
		return len(st) == 1 && st[0].InFlight == 2
	})
	began := time.Now()
	_, err := p.CallTool(context.Background(), "iso", spec, ToolCall{Name: "pid"})
	isKind(t, err, ErrAtCapacity)
	if took := time.Since(began); took < 50*time.Millisecond || took > 2*time.Second {
		t.Errorf("ErrAtCapacity after %v, want after the 50ms queue wait", took)
	}
	release()
	if pidOf(t, p, "iso", spec) == 0 {
		t.Error("no pid after the calls finished")
	}
}

func TestMaxProcessesEvictsIdleOrRefuses(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{MaxProcesses: 1})
	spec := serveSpec("cap")

	a := refOf(pidOf(t, p, "a", spec))
	release := slowCalls(t, p, "a", spec, 1)
	eventually(t, 5*time.Second, "a's call in flight", func() bool {
		st := statusOf(p, "a", "cap")
		return len(st) == 1 && st[0].InFlight == 1
	})
	_, err := p.CallTool(context.Background(), "b", spec, ToolCall{Name: "pid"})
	isKind(t, err, ErrAtCapacity)

	release()
	eventually(t, 5*time.Second, "a idle", func() bool {
		st := statusOf(p, "a", "cap")
		return len(st) == 1 && st[0].InFlight == 0
	})
	// a is idle now: b's start stops it.
	pidOf(t, p, "b", spec)
	eventually(t, 10*time.Second, "a's process gone", a.gone)
}

// slowCalls starts n slow calls and returns a function that ends them (by
// cancelling) and waits for them.
func slowCalls(t *testing.T, p *Pool, isolation string, spec Spec, n int) (release func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, err := p.CallTool(ctx, isolation, spec, ToolCall{Name: "slow", Arguments: []byte(`{"ms":60000}`)})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("slow call ended with %v, want it cancelled", err)
			}
		})
	}
	var once sync.Once
	release = func() { once.Do(func() { cancel(); wg.Wait() }) }
	t.Cleanup(release)
	return release
}

func TestNewDefinitionDrainsTheOldProcess(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	p := newPool(t, Options{Observer: rec})
	v1 := serveSpec("edited")
	v2 := v1
	v2.Env = map[string]string{"EDITED": "yes"}

	old := refOf(pidOf(t, p, "cfg", v1))
	slow := make(chan error, 1)
	go func() {
		_, err := p.CallTool(context.Background(), "cfg", v1, ToolCall{Name: "slow", Arguments: []byte(`{"ms":700}`)})
		slow <- err
	}()
	eventually(t, 5*time.Second, "the slow call in flight", func() bool {
		st := statusOf(p, "cfg", "edited")
		return len(st) == 1 && st[0].InFlight == 1
	})

	if pid := pidOf(t, p, "cfg", v2); pid == old.pid {
		t.Fatal("the edited definition was served by the old process")
	}
	states := map[State]string{}
	for _, st := range statusOf(p, "cfg", "edited") {
		states[st.State] = st.SpecKey
	}
	if states[StateReady] != v2.Key() || states[StateDraining] != v1.Key() {
		t.Errorf("status states = %v, want v2 ready and v1 draining", states)
	}
	if old.gone() {
		t.Fatal("the old process stopped before its call finished")
	}
	if err := <-slow; err != nil {
		t.Fatalf("the call on the old process: %v", err)
	}
	eventually(t, 10*time.Second, "the old process gone", old.gone)
	eventually(t, 5*time.Second, "status without the old process", func() bool {
		st := statusOf(p, "cfg", "edited")
		return len(st) == 1 && st[0].SpecKey == v2.Key()
	})
}

func TestRetireStopsAnIsolationKey(t *testing.T) {
	t.Parallel()
	p := newPool(t, Options{})
	a, b := serveSpec("a"), serveSpec("b")
	pa := refOf(pidOf(t, p, "gone", a))
	pb := refOf(pidOf(t, p, "gone", b))
	kept := refOf(pidOf(t, p, "kept", a))

	if n := p.Retire("gone", "a"); n != 1 {
		t.Errorf("Retire(gone, a) = %d, want 1", n)
	}
	eventually(t, 10*time.Second, "gone/a stopped", pa.gone)
	if n := p.Retire("gone"); n != 1 {
		t.Errorf("Retire(gone) = %d, want 1", n)
	}
	eventually(t, 10*time.Second, "gone/b stopped", pb.gone)
	if kept.gone() {
		t.Error("Retire stopped another isolation key's process")
	}
}
