package trail

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/internal/actor"
	"github.com/securemcp/gateway/repositories/audited"
)

// Refusal is a request the product refused (a bad or unknown credential, a
// role that does not permit the route, a write the rules refused) or failed
// to carry out, as a shell reports it for the audit trail. It holds
// identifiers only: never a credential, a body or an answer's text.
type Refusal struct {
	// Actor is who asked, as far as known: the credential that
	// authenticated, or for a refused credential the key's id when the key
	// exists (an expired key), else nothing (Kind empty: anonymous).
	// Actor.Addr is the client address, Actor.RequestID the request's id.
	Actor actor.Actor
	// Action names the operation as its successful record would
	// ("user.create"), or the step refused ("gateway.authenticate").
	Action string
	Entity audit.Entity
	// Outcome is audit.OutcomeRefused, or audit.OutcomeError for a server
	// fault.
	Outcome audit.Outcome
	// Status is the HTTP status answered, Reason a short code saying why
	// (the error envelope's category: forbidden, not_found, …).
	Status int
	Reason string
}

// ActionGatewayAuthenticate names a gateway key refused at /mcp.
const ActionGatewayAuthenticate = "gateway.authenticate"

// refusalTick is how often the aggregate of refusals counted instead of
// stored is checked for being due (every GateConfig.Interval).
const refusalTick = time.Second

// refusals is the bounded path of refusal records: a Gate in front of the
// tool-call batcher, and the loop storing the aggregates.
type refusals struct {
	gate     atomic.Pointer[audit.Gate]
	interval atomic.Int64 // time.Duration
	log      atomic.Pointer[func(audit.Aggregate)]

	mu       sync.Mutex // orders taking an aggregate and storing it
	lastTake time.Time
	stop     chan struct{}
	done     chan struct{}
}

// RecordRefusal records a refused or failed request. It never waits and
// never fails the request: within the budget of the window (see
// audit.GateConfig: 100 records per 10 s by default) the record is queued
// with the tool calls' and stored in their batches; beyond it, or when the
// queue is full, it is counted, and one audit.refusals_aggregated record per
// interval stands for all those counted, with their numbers by action,
// outcome, actor kind and address. A flood of bad keys so costs at most
// Burst+1 records per interval, whatever its rate.
func (s *AuditService) RecordRefusal(r Refusal) {
	rec := refusalRecord(r, s.now())
	if err := rec.Validate(); err != nil {
		rec.Action, rec.Entity = "audit.refusal", audit.Entity{} // an odd action name never loses the refusal
	}
	if !s.refused.gate.Load().Admit(rec.Time, rec) {
		return // counted: a flood costs no encoding
	}
	rec.Details, _ = audit.DetailsOf(audit.Refusal{Status: r.Status, Reason: r.Reason}) // plain values always encode
	if !s.batcher.TryAdd(rec) {
		s.refused.gate.Load().Count(rec)
	}
}

// refusalRecord converts a refusal into its record, without its details
// (encoded only for a record stored on its own).
func refusalRecord(r Refusal, now time.Time) audit.Record {
	who := audit.Actor{Kind: audit.ActorAnonymous, ID: r.Actor.ID, Addr: r.Actor.Addr}
	if r.Actor.Kind != "" {
		who = audited.Actor(r.Actor)
	}
	outcome := r.Outcome
	if outcome == "" {
		outcome = audit.OutcomeRefused
	}
	return audit.Record{Time: now, Actor: who, Action: r.Action, Entity: clipEntity(r.Entity), Outcome: outcome,
		RequestID: clip(r.Actor.RequestID)}
}

// SetRefusalLimits replaces the budget of refusal records (call it before
// serving; zero fields take the defaults) and names the function told of
// each aggregate stored (the server logs it: once per interval, whatever
// the flood). log may be nil.
func (s *AuditService) SetRefusalLimits(cfg audit.GateConfig, log func(audit.Aggregate)) {
	cfg = cfg.WithDefaults()
	s.refused.mu.Lock()
	defer s.refused.mu.Unlock()
	gate := audit.NewGate(cfg)
	old := s.refused.gate.Swap(gate)
	s.refused.interval.Store(int64(cfg.Interval))
	if a, ok := old.Take(); ok {
		gate.Restore(a)
	}
	if log != nil {
		s.refused.log.Store(&log)
	}
}

func newRefusals(now time.Time) *refusals {
	cfg := audit.GateConfig{}.WithDefaults()
	f := &refusals{lastTake: now, stop: make(chan struct{}), done: make(chan struct{})}
	f.gate.Store(audit.NewGate(cfg))
	f.interval.Store(int64(cfg.Interval))
	return f
}

// aggregateLoop stores the aggregate once per interval until Close.
func (s *AuditService) aggregateLoop() {
	defer close(s.refused.done)
	t := time.NewTicker(refusalTick)
	defer t.Stop()
	for {
		select {
		case <-s.refused.stop:
			return
		case <-t.C:
			s.storeAggregate(context.Background(), false)
		}
	}
}

// storeAggregate queues the record of the refusals counted, when the
// interval has passed since the last one (or always, with force). A record
// that cannot be queued gives its counts back to the next one, and the
// answer is false.
func (s *AuditService) storeAggregate(ctx context.Context, force bool) bool {
	f := s.refused
	f.mu.Lock()
	defer f.mu.Unlock()
	now := s.now()
	if !force && now.Sub(f.lastTake) < time.Duration(f.interval.Load()) {
		return true
	}
	f.lastTake = now
	gate := f.gate.Load()
	a, ok := gate.Take()
	if !ok {
		return true
	}
	rec, err := audit.NewAggregateRecord(now, a)
	if err == nil {
		err = s.batcher.Add(ctx, rec)
	}
	if err != nil {
		gate.Restore(a)
		return errors.Is(err, audit.ErrClosed) // closed: no later attempt can succeed
	}
	if log := f.log.Load(); log != nil {
		(*log)(a)
	}
	return true
}

// closeRefusals stops the loop and queues the last aggregate, waiting for
// room in the queue until ctx ends.
func (s *AuditService) closeRefusals(ctx context.Context) {
	select {
	case <-s.refused.stop:
	default:
		close(s.refused.stop)
	}
	<-s.refused.done
	for {
		if s.storeAggregate(ctx, true) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Flush queues the aggregate of the refusals counted so far and waits until
// every record accepted before the call is stored: what a listing then
// shows is complete. The command line and tests use it; the server needs
// not.
func (s *AuditService) Flush(ctx context.Context) error {
	for !s.storeAggregate(ctx, true) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	target := s.batcher.Stats().Accepted
	for s.batcher.Stats().Flushed < target {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	return nil
}

// countLostToolCall counts a tool-call record the full queue turned away
// into the aggregate: the trail then says how many calls are missing.
func (s *AuditService) countLostToolCall(r audit.Record, err error) {
	if errors.Is(err, audit.ErrQueueFull) {
		s.refused.gate.Load().Count(r)
	}
}

// clipEntity bounds an entity's fields (a name a client made up may be of
// any length) to what a record keeps.
func clipEntity(e audit.Entity) audit.Entity {
	return audit.Entity{Kind: clip(e.Kind), ID: clip(e.ID), Name: clip(e.Name)}
}

// clip bounds a field to 200 bytes, on a rune boundary.
func clip(s string) string {
	const maxLen = 200
	if len(s) <= maxLen {
		return s
	}
	cut := maxLen
	for cut > 0 && (s[cut]&0xC0) == 0x80 {
		cut--
	}
	return s[:cut]
}
