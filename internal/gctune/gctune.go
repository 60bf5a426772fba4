// Package gctune paces the garbage collector by the size of the live heap.
//
// The gateway's MCP traffic allocates a lot of short-lived memory (the MCP
// SDK decodes every message through a fresh 32 KiB buffer) over a small live
// heap. With Go's default GOGC=100 the collector then runs every few
// megabytes allocated, and a collection cycle costs the same however little
// the heap is: at a few thousand tool calls a second, a quarter of the CPU
// goes to collections. A larger GOGC spaces them out, but lets a large heap
// (thousands of stateful sessions) double before each collection.
//
// So the pace follows the heap, as Go's own memory limit does but without
// its cliff: after each collection the next one is set to start when the
// heap reaches Target, as long as that is between Min and Max percent above
// the live heap. A small heap (an idle or stateless gateway) grows up to
// Max percent between collections; a heap past Target grows by Min percent
// only, and never needs a collection more often than that.
package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// Policy is how far the heap may grow between collections.
type Policy struct {
	// Target is the heap size a collection starts at while the live heap
	// is small enough for it.
	Target uint64
	// Min and Max bound the growth between collections, as GOGC does, in
	// percent of the live heap.
	Min, Max int
}

// Default is the gateway's policy: collections start at 64 MiB of heap,
// with at least 50% and at most 400% of growth over the live heap.
var Default = Policy{Target: 64 << 20, Min: 50, Max: 400}

// Percent is the GOGC for a live heap of live bytes.
func (p Policy) Percent(live uint64) int {
	if live == 0 || live >= p.Target {
		if live == 0 {
			return p.Max
		}
		return p.Min
	}
	percent := int((p.Target - live) * 100 / live)
	return max(p.Min, min(p.Max, percent))
}

// Tuner applies a policy after every collection.
type Tuner struct {
	policy  Policy
	stopped atomic.Bool
	percent atomic.Int64
	sample  []metrics.Sample
}

// Start applies p from now on and after each collection. It does nothing
// and returns nil when the environment sets GOGC or GOMEMLIMIT: an
// operator's own choice wins.
func Start(p Policy, getenv func(string) string) *Tuner {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return nil
	}
	t := &Tuner{policy: p, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	t.apply()
	arm(&sentinel{t: t})
	return t
}

// Percent is the GOGC applied last.
func (t *Tuner) Percent() int { return int(t.percent.Load()) }

// Stop leaves the last GOGC in place and stops following the heap.
func (t *Tuner) Stop() { t.stopped.Store(true) }

// apply sets GOGC for the live heap as of the last collection. It runs on
// the finalizer goroutine, one collection at a time.
func (t *Tuner) apply() {
	metrics.Read(t.sample)
	var live uint64
	if t.sample[0].Value.Kind() == metrics.KindUint64 {
		live = t.sample[0].Value.Uint64()
	}
	percent := t.policy.Percent(live)
	if int64(percent) != t.percent.Swap(int64(percent)) {
		debug.SetGCPercent(percent)
	}
}

// sentinel is garbage as soon as it is armed: its finalizer runs after every
// collection, applies the policy, and arms it again for the next one.
type sentinel struct{ t *Tuner }

func arm(s *sentinel) { runtime.SetFinalizer(s, collected) }

func collected(s *sentinel) {
	if s.t.stopped.Load() {
		return
	}
	s.t.apply()
	arm(s)
}
