// Package trail is the audit trail as the API and the CLI use it: listing,
// verification, export, retention, the batched storing of tool-call records,
// and the bounded recording of refused and failed requests (refusals.go).
// The records of admin writes are appended by the store itself
// (repositories/audited), in each write's transaction.
package trail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
)

// AuditService reads, verifies, exports and prunes the audit trail, and
// stores the records of tool calls. The records of admin writes are
// appended by the store itself (repositories/audited), in the transaction of
// each write.
type AuditService struct {
	store   repositories.Store
	now     entity.Clock
	batcher *audit.Batcher
	refused *refusals
}

// auditScanBatch is how many records verification and export read at once.
const auditScanBatch = 1000

// auditCloseTimeout bounds how long Close waits for the last tool-call
// records to be stored.
const auditCloseTimeout = 30 * time.Second

// NewAuditService wires an AuditService; tool-call records are stored in
// batches (one transaction each) until Close.
func NewAuditService(store repositories.Store, now entity.Clock) *AuditService {
	return newAuditService(store, now, audit.BatcherConfig{})
}

func newAuditService(store repositories.Store, now entity.Clock, cfg audit.BatcherConfig) *AuditService {
	s := &AuditService{store: store, now: now}
	s.batcher = audit.NewBatcher(func(ctx context.Context, recs []audit.Record) error {
		return store.InTx(ctx, func(tx repositories.Repos) error { return audit.Write(ctx, tx.Audit(), recs...) })
	}, cfg)
	s.refused = newRefusals(now())
	go s.aggregateLoop()
	return s
}

// RecordToolCall queues a tool call's record. A nil answer is the
// acknowledgement: the record is stored before Close returns. An error
// (queue full for a second, or closing) means it was not accepted; a record
// the full queue turned away (audit.ErrQueueFull) is counted in the next
// audit.refusals_aggregated record (see RecordRefusal), so that the trail
// says how many calls it misses.
func (s *AuditService) RecordToolCall(ctx context.Context, r audit.Record) error {
	if r.Time.IsZero() {
		r.Time = s.now()
	}
	if err := r.Validate(); err != nil {
		return err
	}
	err := s.batcher.Add(ctx, r)
	s.countLostToolCall(r, err)
	return err
}

// Stats counts what the tool-call batcher did.
func (s *AuditService) Stats() audit.BatcherStats { return s.batcher.Stats() }

// Close stores every tool-call and refusal record accepted, and the
// aggregate of the refusals counted; call it before closing the store.
func (s *AuditService) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), auditCloseTimeout)
	defer cancel()
	s.closeRefusals(ctx)
	return s.batcher.Close(ctx)
}

// List returns one page of records matching q, newest first.
func (s *AuditService) List(ctx context.Context, q audit.Query) ([]audit.Record, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, errs.Invalid("%s", auditMessage(err))
	}
	recs, err := s.store.Audit().List(ctx, q)
	return recs, entity.StoreErr(err, "", "")
}

// auditMessage is an audit validation error without the package's prefix.
func auditMessage(err error) string {
	msg := err.Error()
	if p := audit.ErrInvalid.Error() + ": "; len(msg) > len(p) && msg[:len(p)] == p {
		return msg[len(p):]
	}
	return msg
}

// Verify walks the whole chain in one consistent snapshot, against the head
// the store recorded, and reports the first record changed, removed or
// inserted.
func (s *AuditService) Verify(ctx context.Context) (audit.Report, error) {
	var rep audit.Report
	err := s.store.ReadSnapshot(ctx, func(r repositories.Repos) error {
		head, err := r.Audit().Head(ctx)
		if err != nil {
			return err
		}
		it := &scanIterator{ctx: ctx, repo: r.Audit()}
		rep, err = audit.Verify(ctx, it, audit.VerifyOptions{Head: &head})
		return err
	})
	return rep, entity.StoreErr(err, "", "")
}

// Export writes the records matching q (every record for a zero query) as
// JSON Lines in seq order, from one consistent snapshot; a whole export
// verifies on its own (audit.NewJSONLReader, audit.Verify).
func (s *AuditService) Export(ctx context.Context, w io.Writer, q audit.Query) (int64, error) {
	q.Limit, q.Before = 0, 0
	if _, err := q.Normalize(); err != nil {
		return 0, errs.Invalid("%s", auditMessage(err))
	}
	var n int64
	err := s.store.ReadSnapshot(ctx, func(r repositories.Repos) error {
		jw := audit.NewJSONLWriter(w)
		it := &scanIterator{ctx: ctx, repo: r.Audit()}
		for {
			rec, ok, err := it.Next(ctx)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if q.Matches(rec) {
				if err := jw.Write(rec); err != nil {
					return err
				}
			}
		}
		n = jw.Count()
		return jw.Flush()
	})
	if err != nil {
		var se *errs.Error
		if errors.As(err, &se) {
			return n, err
		}
		return n, &errs.Error{Kind: errs.KindInternal, Message: "audit export failed", Err: err}
	}
	return n, nil
}

// Pruned reports a retention run.
type Pruned struct {
	// Checkpoint is the checkpoint appended; nil when nothing was old enough.
	Checkpoint *audit.Checkpoint `json:"checkpoint"`
}

// Prune removes the records older than maxAge from the start of the chain,
// in one transaction with a checkpoint record that keeps the rest
// verifiable. The head record is always kept (the next record attaches to
// it), and so is every record after the first one young enough.
func (s *AuditService) Prune(ctx context.Context, maxAge time.Duration) (Pruned, error) {
	if maxAge <= 0 {
		return Pruned{}, errs.Invalid("the retention must be a positive duration")
	}
	now := s.now()
	cutoff := now.Add(-maxAge)
	var out Pruned
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		out = Pruned{}
		a := tx.Audit()
		head, err := a.Last(ctx) // the chain's lock, held to the commit
		if err != nil {
			return err
		}
		first, _, err := a.Bounds(ctx)
		if err != nil || first == 0 {
			return err
		}
		through := head.Seq - 1
		if young, err := a.FirstAtOrAfter(ctx, cutoff); err == nil {
			through = min(through, young-1)
		} else if !errors.Is(err, repositories.ErrNotFound) {
			return err
		}
		if through < first {
			return nil
		}
		last, err := a.Get(ctx, through)
		if err != nil {
			return err
		}
		n, err := a.DeleteThrough(ctx, through)
		if err != nil {
			return err
		}
		if n != through-first+1 {
			return fmt.Errorf("audit retention: %d records removed from %d to %d: the chain has a gap", n, first, through)
		}
		cp := audit.Checkpoint{FirstSeq: first, ThroughSeq: through, ThroughHash: last.Hash, Count: n, Cutoff: cutoff}
		rec, err := audit.NewCheckpoint(now, cp)
		if err != nil {
			return err
		}
		if err := audit.Write(ctx, a, rec); err != nil {
			return err
		}
		out.Checkpoint = &cp
		return nil
	})
	return out, entity.StoreErr(err, "", "")
}

// scanIterator reads the chain batch by batch in seq order.
type scanIterator struct {
	ctx   context.Context
	repo  repositories.AuditRepository
	buf   []audit.Record
	after int64
	done  bool
}

func (it *scanIterator) Next(ctx context.Context) (audit.Record, bool, error) {
	if len(it.buf) == 0 && !it.done {
		recs, err := it.repo.Scan(ctx, it.after, auditScanBatch)
		if err != nil {
			return audit.Record{}, false, err
		}
		it.buf, it.done = recs, len(recs) < auditScanBatch
		if len(recs) > 0 {
			it.after = recs[len(recs)-1].Seq
		}
	}
	if len(it.buf) == 0 {
		return audit.Record{}, false, nil
	}
	r := it.buf[0]
	it.buf = it.buf[1:]
	return r, true, nil
}

func (it *scanIterator) Close() error { return nil }

// View is a record as the API and the CLI show it.
func View(r audit.Record) models.AuditRecord {
	return models.AuditRecord{Seq: r.Seq, Time: r.Time.UTC(), Action: r.Action, Outcome: string(r.Outcome), RequestID: r.RequestID,
		Details: r.Details, PrevHash: r.PrevHash, Hash: r.Hash,
		Actor: models.AuditActor{Kind: string(r.Actor.Kind), ID: r.Actor.ID, UserID: r.Actor.UserID, ProjectID: r.Actor.ProjectID,
			Addr: r.Actor.Addr},
		Entity: models.AuditEntity{Kind: r.Entity.Kind, ID: r.Entity.ID, Name: r.Entity.Name}}
}
