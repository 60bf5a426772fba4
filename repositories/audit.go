package repositories

import (
	"context"
	"time"

	"github.com/securemcp/gateway/audit"
)

// AuditRepository stores the audit trail: an append-only hash chain of
// records (package audit). Its Last and Append make it the audit.Appender of
// a transaction: called through the Repos of InTx, the records commit with
// the change they describe. Last locks the chain's head until the
// transaction ends, so that the chain stays single and gap-free however many
// writers (and instances) there are.
type AuditRepository interface {
	// Last returns the chain's head (audit.EmptyHead when it has no
	// record) and locks it until the transaction ends (audit.Appender).
	Last(ctx context.Context) (audit.Head, error)
	// Append stores sealed records that attach to the head Last returned,
	// and moves the head to the last of them (audit.Appender).
	Append(ctx context.Context, recs []audit.Record) error
	// Head returns the recorded head of the chain without locking it.
	Head(ctx context.Context) (audit.Head, error)
	// List returns the records matching q, newest first, at most q.Limit of
	// them below q.Before (q must be normalized).
	List(ctx context.Context, q audit.Query) ([]audit.Record, error)
	// Scan returns at most limit records with a seq above after, in seq
	// order: the whole chain is read batch by batch for verification and
	// export.
	Scan(ctx context.Context, after int64, limit int) ([]audit.Record, error)
	// Bounds returns the first and last seq stored (0, 0 when none).
	Bounds(ctx context.Context) (first, last int64, err error)
	// FirstAtOrAfter returns the seq of the first record (in seq order) whose
	// time is not before t; ErrNotFound when there is none.
	FirstAtOrAfter(ctx context.Context, t time.Time) (int64, error)
	// Get returns one record.
	Get(ctx context.Context, seq int64) (audit.Record, error)
	// DeleteThrough removes the records with a seq at most seq, and returns
	// how many it removed: retention, with a checkpoint appended in the same
	// transaction.
	DeleteThrough(ctx context.Context, seq int64) (int64, error)
}

var _ audit.Appender = AuditRepository(nil)
