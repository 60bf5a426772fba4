package upstream

import "time"

// breaker paces the restarts of one server definition. Failures (failed
// starts and crashes) within the window set the backoff before the next
// start — RestartBackoff doubled per failure, capped — and BreakerThreshold
// of them open the circuit for BreakerCooldown, during which calls fail
// fast. After the cool-down one start is let through (half-open): if that
// process fails too, the circuit opens again at once; a successful call
// closes it. Successes do not erase the window, so a server that crashes
// on every other call still ends up open.
type breaker struct {
	failures  []time.Time // within the window, oldest first
	openUntil time.Time
	halfOpen  bool
}

func (b *breaker) prune(now time.Time, o *Options) {
	cut := 0
	for cut < len(b.failures) && now.Sub(b.failures[cut]) >= o.BreakerWindow {
		cut++
	}
	b.failures = b.failures[cut:]
}

// failure records a failed start or a crash at now.
func (b *breaker) failure(now time.Time, o *Options) {
	b.prune(now, o)
	b.failures = append(b.failures, now)
	if b.halfOpen || len(b.failures) >= o.BreakerThreshold {
		b.openUntil = now.Add(o.BreakerCooldown)
		b.failures = nil
		b.halfOpen = false
	}
}

// success records a call that worked: the server has recovered.
func (b *breaker) success() { b.halfOpen = false }

// open reports whether calls must fail fast at now.
func (b *breaker) open(now time.Time) bool { return now.Before(b.openUntil) }

// allowStart is called before a start: it reports false while open, and
// turns an expired open state into half-open.
func (b *breaker) allowStart(now time.Time) bool {
	if b.open(now) {
		return false
	}
	if !b.openUntil.IsZero() {
		b.openUntil = time.Time{}
		b.halfOpen = true
	}
	return true
}

// delay is how long the next start must wait after the last failure.
func (b *breaker) delay(now time.Time, o *Options) time.Duration {
	b.prune(now, o)
	n := len(b.failures)
	if n == 0 {
		return 0
	}
	d := o.RestartBackoff
	for i := 1; i < n && d < o.MaxRestartBackoff; i++ {
		d *= 2
	}
	d = min(d, o.MaxRestartBackoff)
	return max(0, b.failures[n-1].Add(d).Sub(now))
}
