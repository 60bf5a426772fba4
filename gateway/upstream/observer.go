package upstream

import (
	"errors"
	"time"

	"go.uber.org/zap"
)

// Observer receives the pool's events, e.g. to feed Prometheus instruments
// the caller registers in its own registry. Methods are called
// synchronously, outside the pool's locks; they must be fast and safe for
// concurrent use.
type Observer interface {
	ProcessEvent(ProcessEvent)
	CallDone(CallEvent)
}

// EventKind says what happened to a process.
type EventKind string

// Process event kinds.
const (
	EventStarted     EventKind = "started"      // handshake completed
	EventStartFailed EventKind = "start_failed" // did not start or handshake; Err says why
	EventStopped     EventKind = "stopped"      // stopped by the pool; Reason says why
	EventCrashed     EventKind = "crashed"      // died or broke the protocol; Err says why
)

// ProcessEvent describes a change of a process.
type ProcessEvent struct {
	Kind      EventKind
	Isolation string
	Server    string
	PID       int
	// Duration is the start's duration for started and start_failed, the
	// process's uptime for stopped and crashed.
	Duration time.Duration
	// Reason is why the pool stopped it: idle, retired, evicted, discovered
	// (after Discover), shutdown.
	Reason string
	Err    error
}

// CallEvent describes one finished call through the pool.
type CallEvent struct {
	Isolation string
	Server    string
	Method    string // tools/call or tools/list
	Tool      string // for tools/call
	Duration  time.Duration
	Err       error
}

type nopObserver struct{}

func (nopObserver) ProcessEvent(ProcessEvent) {}
func (nopObserver) CallDone(CallEvent)        {}

// processStarted reports the end of a start.
func (p *Pool) processStarted(sl *slot, inst *instance, took time.Duration, err error) {
	ev := ProcessEvent{Kind: EventStarted, Isolation: sl.key.isolation, Server: sl.spec.Name, Duration: took, Err: err}
	fields := []zap.Field{zap.String("server", sl.spec.Name), zap.Duration("took", took)}
	if err != nil {
		ev.Kind = EventStartFailed
		var pe *ProcessError
		if errors.As(err, &pe) {
			ev.PID = pe.PID
		}
		p.log.Warn("upstream failed to start", append(fields, zap.Error(err))...)
	} else {
		ev.PID = inst.proc.pid
		p.log.Info("upstream started", append(fields, zap.Int("pid", ev.PID))...)
	}
	p.opts.Observer.ProcessEvent(ev)
}

// processDown reports the end of a process: cause is nil after a stop.
func (p *Pool) processDown(inst *instance, reason string, cause error) {
	sl := inst.slot
	ev := ProcessEvent{
		Kind: EventStopped, Isolation: sl.key.isolation, Server: sl.spec.Name, PID: inst.proc.pid,
		Duration: time.Since(inst.startedAt), Reason: reason, Err: cause,
	}
	fields := []zap.Field{zap.String("server", sl.spec.Name), zap.Int("pid", ev.PID), zap.Duration("uptime", ev.Duration)}
	if cause != nil {
		ev.Kind = EventCrashed
		p.log.Warn("upstream crashed", append(fields, zap.Error(cause))...)
	} else {
		p.log.Info("upstream stopped", append(fields, zap.String("reason", ev.Reason))...)
	}
	p.opts.Observer.ProcessEvent(ev)
}
