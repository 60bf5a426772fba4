package audit

import (
	"sync"
	"time"
)

// ActionRefusalsAggregated is the record standing for refusals (and failed
// requests, and tool calls the full queue turned away) that were not
// recorded one by one: its details are an Aggregate.
const ActionRefusalsAggregated = "audit.refusals_aggregated"

// Refusal is the details of a request the product refused or failed to
// carry out (a record with outcome refused or error): the HTTP status it
// answered and a short code saying why. It never holds the request's
// credential, body or the answer's text.
type Refusal struct {
	Status int    `json:"status,omitempty"`
	Reason string `json:"reason"`
}

// Aggregate is the details of an ActionRefusalsAggregated record: how many
// records were counted instead of stored, between From and To, by action,
// outcome, actor kind and client address. ByAddr keeps the first
// maxAggregateAddrs addresses seen; OtherAddrs counts the records of the
// rest.
type Aggregate struct {
	Count       int64            `json:"count"`
	From        time.Time        `json:"from"`
	To          time.Time        `json:"to"`
	ByAction    map[string]int64 `json:"by_action"`
	ByOutcome   map[string]int64 `json:"by_outcome"`
	ByActorKind map[string]int64 `json:"by_actor_kind"`
	ByAddr      map[string]int64 `json:"by_addr,omitempty"`
	OtherAddrs  int64            `json:"other_addrs,omitempty"`
}

// maxAggregateAddrs bounds the addresses one Aggregate names, so that a
// flood from many addresses still makes a small record. Actions, outcomes and
// actor kinds are fixed vocabularies and need no bound.
const maxAggregateAddrs = 100

// GateConfig tunes a Gate; zero fields take the defaults.
type GateConfig struct {
	// Interval is the window of the budget, and how often the aggregate of
	// the records over it is stored (default 10 s).
	Interval time.Duration
	// Burst is how many records a window lets through one by one (default
	// 100).
	Burst int
}

// WithDefaults fills the zero fields.
func (c GateConfig) WithDefaults() GateConfig {
	if c.Interval <= 0 {
		c.Interval = 10 * time.Second
	}
	if c.Burst <= 0 {
		c.Burst = 100
	}
	return c
}

// Gate bounds the records a flood can cause: of the records offered in a
// window of Interval, the first Burst are admitted to be stored one by one
// and the rest are only counted, into one Aggregate that Take hands out once
// per interval. Whatever the flood, a window costs at most Burst+1 records
// and memory for maxAggregateAddrs addresses. It is safe for concurrent use.
type Gate struct {
	cfg GateConfig

	mu          sync.Mutex
	windowStart time.Time
	admitted    int
	agg         Aggregate
}

// NewGate returns a Gate.
func NewGate(cfg GateConfig) *Gate { return &Gate{cfg: cfg.WithDefaults()} }

// Admit reports whether r may be stored on its own; when it may not, r is
// counted in the aggregate instead.
func (g *Gate) Admit(now time.Time, r Record) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.windowStart.IsZero() || now.Sub(g.windowStart) >= g.cfg.Interval || now.Before(g.windowStart) {
		g.windowStart, g.admitted = now, 0
	}
	if g.admitted < g.cfg.Burst {
		g.admitted++
		return true
	}
	g.count(r, 1)
	return false
}

// Count adds r to the aggregate: a record that was admitted but could not
// be queued.
func (g *Gate) Count(r Record) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.count(r, 1)
}

func (g *Gate) count(r Record, n int64) {
	a := &g.agg
	if a.Count == 0 {
		a.From, a.To = r.Time, r.Time
		a.ByAction, a.ByOutcome, a.ByActorKind, a.ByAddr = map[string]int64{}, map[string]int64{}, map[string]int64{}, map[string]int64{}
	}
	a.Count += n
	if r.Time.Before(a.From) {
		a.From = r.Time
	}
	if r.Time.After(a.To) {
		a.To = r.Time
	}
	a.ByAction[r.Action] += n
	a.ByOutcome[string(r.Outcome)] += n
	a.ByActorKind[string(r.Actor.Kind)] += n
	switch _, seen := a.ByAddr[r.Actor.Addr]; {
	case r.Actor.Addr == "":
	case seen || len(a.ByAddr) < maxAggregateAddrs:
		a.ByAddr[r.Actor.Addr] += n
	default:
		a.OtherAddrs += n
	}
}

// Pending returns how many records the aggregate counts now.
func (g *Gate) Pending() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.agg.Count
}

// Take returns the aggregate counted since the last Take and starts a new
// one; ok is false when nothing was counted.
func (g *Gate) Take() (a Aggregate, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	a, g.agg = g.agg, Aggregate{}
	return a, a.Count > 0
}

// Restore adds an aggregate Take returned back to the one being counted:
// its record could not be stored, and the next one carries its counts.
func (g *Gate) Restore(a Aggregate) {
	if a.Count == 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	cur := &g.agg
	if cur.Count == 0 {
		*cur = a
		return
	}
	cur.Count += a.Count
	cur.From, cur.To = minTime(cur.From, a.From), maxTime(cur.To, a.To)
	merge(cur.ByAction, a.ByAction)
	merge(cur.ByOutcome, a.ByOutcome)
	merge(cur.ByActorKind, a.ByActorKind)
	cur.OtherAddrs += a.OtherAddrs
	for addr, n := range a.ByAddr {
		if _, seen := cur.ByAddr[addr]; seen || len(cur.ByAddr) < maxAggregateAddrs {
			cur.ByAddr[addr] += n
		} else {
			cur.OtherAddrs += n
		}
	}
}

func merge(dst, src map[string]int64) {
	for k, n := range src {
		dst[k] += n
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// NewAggregateRecord is the record of an aggregate, stamped at, by the
// product itself (actor system "audit"), with outcome refused.
func NewAggregateRecord(at time.Time, a Aggregate) (Record, error) {
	a.From, a.To = a.From.UTC().Truncate(time.Microsecond), a.To.UTC().Truncate(time.Microsecond)
	return trailRecord(at, "audit", ActionRefusalsAggregated, OutcomeRefused, a)
}
