package upstream

import (
	"errors"
	"fmt"
	"time"
)

// Error kinds. Callers classify with errors.Is; every error the pool returns
// for a process wraps one of them, so the gateway can map them to an MCP
// error without reading messages.
var (
	// ErrInvalidSpec: the server definition cannot be started as written.
	ErrInvalidSpec = errors.New("invalid upstream definition")
	// ErrInvalidCall: the call itself is malformed (e.g. arguments that are
	// not a JSON object); nothing was sent upstream.
	ErrInvalidCall = errors.New("invalid upstream call")
	// ErrStartFailed: the process could not be started or did not complete
	// the MCP handshake (missing command, early exit, garbage on stdout).
	ErrStartFailed = errors.New("upstream failed to start")
	// ErrStartTimeout: the process did not complete the handshake within
	// Options.StartTimeout; it has been killed.
	ErrStartTimeout = errors.New("upstream start timed out")
	// ErrUpstreamCrashed: the process died or broke its stdio protocol while
	// serving; calls in flight get this error and the next call restarts it.
	ErrUpstreamCrashed = errors.New("upstream process crashed")
	// ErrMessageTooLarge: the process wrote a message longer than
	// Options.MaxMessageBytes. It comes wrapped in ErrUpstreamCrashed (or
	// ErrStartFailed): the stream cannot be resynchronised, so the process is
	// killed.
	ErrMessageTooLarge = errors.New("upstream message too large")
	// ErrCallTimeout: the call took longer than Options.CallTimeout; the
	// upstream was sent notifications/cancelled and keeps running.
	ErrCallTimeout = errors.New("upstream call timed out")
	// ErrAtCapacity: the pool runs Options.MaxProcesses processes, none of
	// them idle, or the process runs Options.MaxCallsPerProcess calls and
	// none finished within Options.CallQueueWait. Retry later.
	ErrAtCapacity = errors.New("upstream pool at capacity")
	// ErrCircuitOpen: the server failed Options.BreakerThreshold times within
	// Options.BreakerWindow; calls fail fast until the cool-down has passed.
	ErrCircuitOpen = errors.New("upstream circuit open")
	// ErrClosed: the pool has been closed.
	ErrClosed = errors.New("upstream pool closed")
)

// ProcessError describes a failed upstream process. Its message carries no
// stderr and no environment, so it may be logged anywhere; Stderr (a
// redacted, bounded tail) is for administrators.
type ProcessError struct {
	// Kind is one of the error kinds above; errors.Is matches it.
	Kind error
	// Server is the Spec's name.
	Server string
	// PID is the process id, or 0 when no process was started.
	PID int
	// Err is the cause: exec error, exit status, protocol error.
	Err error
	// Stderr is the end of what the process wrote to stderr, with the
	// values of its own environment redacted.
	Stderr string
	// RetryAfter is set with ErrCircuitOpen: when calls are let through again.
	RetryAfter time.Time
}

func (e *ProcessError) Error() string {
	msg := fmt.Sprintf("upstream %q: %v", e.Server, e.Kind)
	if !e.RetryAfter.IsZero() {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter.UTC().Format(time.RFC3339))
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap lets errors.Is match both the kind and the cause (e.g.
// ErrUpstreamCrashed and ErrMessageTooLarge).
func (e *ProcessError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}
