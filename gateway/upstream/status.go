package upstream

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// State is the condition of a server definition's process, as shown to
// administrators.
type State string

// States.
const (
	StateStarting    State = "starting"     // a start (or its backoff delay) is in progress
	StateReady       State = "ready"        // serving calls
	StateDraining    State = "draining"     // superseded or retired: finishing its calls
	StateStopping    State = "stopping"     // stopped or crashed, and not yet gone
	StateStopped     State = "stopped"      // no process; the next call starts one
	StateFailed      State = "failed"       // the last start or process failed; the next call retries
	StateCircuitOpen State = "circuit_open" // failing too often: calls fail fast until RetryAfter
)

// maxErrorText bounds LastError in status.
const maxErrorText = 1024

// ProcessStatus is the status of one pool entry: a server definition under
// an isolation key, with its process if it has one.
type ProcessStatus struct {
	Server string
	// Isolation is the caller's opaque key; the caller decides what of it to show.
	Isolation string
	SpecKey   string
	State     State
	PID       int       // 0 without a process
	StartedAt time.Time // zero without a process
	Uptime    time.Duration
	// Restarts counts the starts after the first.
	Restarts int
	InFlight int
	// LastError is the last start failure or crash, bounded.
	LastError   string
	LastErrorAt time.Time
	// Stderr is the end of the process's stderr (at most StderrTailBytes) —
	// of the running process, else of the last one that failed. Like
	// LastError, it has the server's env values redacted.
	Stderr     string
	RetryAfter time.Time // with StateCircuitOpen
}

// Status returns a snapshot of every entry of the pool — one per server
// definition in use, plus superseded processes still draining — ordered by
// isolation key, server name and state. An entry without a process stays
// (stopped, failed) until unused for 2×IdleTimeout or BreakerWindow,
// whichever is longer.
func (p *Pool) Status() []ProcessStatus {
	now := time.Now()
	p.mu.Lock()
	out := make([]ProcessStatus, 0, len(p.slots))
	for _, sl := range p.slots {
		st := sl.status(now)
		switch {
		case sl.start != nil:
			st.State = StateStarting
		case sl.inst != nil:
			st.State = StateReady
			sl.inst.fill(&st, now)
		case sl.breaker.open(now):
			st.State = StateCircuitOpen
			st.RetryAfter = sl.breaker.openUntil
		case sl.failed:
			st.State = StateFailed
		default:
			st.State = StateStopped
		}
		out = append(out, st)
	}
	for inst := range p.procs {
		if inst.slot.discovery || (inst.slot.inst == inst && !inst.slot.retired) {
			continue // throwaway, or shown with its slot
		}
		st := inst.slot.status(now)
		st.State = StateStopping // or crashed, and on its way out
		if inst.draining && !inst.stopping {
			st.State = StateDraining
		}
		inst.fill(&st, now)
		out = append(out, st)
	}
	p.mu.Unlock()
	slices.SortFunc(out, func(a, b ProcessStatus) int {
		return cmp.Or(cmp.Compare(a.Isolation, b.Isolation), cmp.Compare(a.Server, b.Server), cmp.Compare(a.State, b.State))
	})
	return out
}

func (sl *slot) status(now time.Time) ProcessStatus {
	st := ProcessStatus{
		Server:      sl.spec.Name,
		Isolation:   sl.key.isolation,
		SpecKey:     sl.key.spec,
		Restarts:    max(0, sl.starts-1),
		LastErrorAt: sl.lastErrAt,
		Stderr:      sl.lastStderr,
	}
	if sl.lastErr != nil {
		st.LastError = truncate(redactor(sl.spec.Env).Replace(sl.lastErr.Error()), maxErrorText)
	}
	return st
}

func (inst *instance) fill(st *ProcessStatus, now time.Time) {
	st.PID = inst.proc.pid
	st.StartedAt = inst.startedAt
	st.Uptime = now.Sub(inst.startedAt)
	st.InFlight = len(inst.sem)
	st.Stderr = inst.redact(inst.proc.stderr.String())
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
