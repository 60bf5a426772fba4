package audit

import (
	"context"
	"fmt"
	"time"
)

// Appender is the store side of writing the chain, implemented on a store
// transaction. Last and Append run in the transaction that makes the change
// the records describe, so that both commit or neither does; the doc
// comment of the package says how a backend keeps the chain single.
type Appender interface {
	// Last returns the chain's head, EmptyHead when it has no record. The
	// call takes the chain's lock: no other transaction can append until
	// this one ends.
	Last(ctx context.Context) (Head, error)
	// Append stores sealed records, which attach to the head Last returned
	// (or to the head WriteAt guessed). It takes the chain's lock too, and
	// moves the head only from the one the first record names (Seq-1 and
	// PrevHash): when the head is elsewhere it writes nothing and returns
	// ErrHeadMoved.
	Append(ctx context.Context, recs []Record) error
}

// Iterator streams records in ascending seq order, as a store reads them
// from a cursor: a chain of millions of records is never held in memory.
type Iterator interface {
	// Next returns the next record; ok is false after the last one.
	Next(ctx context.Context) (r Record, ok bool, err error)
	// Close releases the cursor. Verify and WriteJSONL do not call it: the
	// caller that opened the iterator does.
	Close() error
}

// Slice is an Iterator over records held in memory.
type Slice struct {
	recs []Record
	i    int
}

// NewSlice returns an iterator over recs, in the order given.
func NewSlice(recs []Record) *Slice { return &Slice{recs: recs} }

// Next implements Iterator.
func (s *Slice) Next(context.Context) (Record, bool, error) {
	if s.i >= len(s.recs) {
		return Record{}, false, nil
	}
	s.i++
	return s.recs[s.i-1], true, nil
}

// Close implements Iterator.
func (s *Slice) Close() error { return nil }

// Query selects records for listing and export. Zero fields select all.
// Paging is by seq (keyset), newest first: a page holds records with seq
// below Before, and the next page starts below the last seq returned, so
// that records appended meanwhile never shift a page.
type Query struct {
	// From and To bound the time: From ≤ time < To.
	From, To   time.Time
	ActorKind  ActorKind
	ActorID    string
	Action     string
	EntityKind string
	EntityID   string
	Outcome    Outcome
	// Before is the paging cursor: only records with a smaller seq; 0 for
	// the first page.
	Before int64
	// Limit is the page size, at most MaxLimit; 0 means DefaultLimit.
	Limit int
}

// Page sizes of Query.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Normalize applies the default page size and checks the query, naming the
// first wrong field.
func (q Query) Normalize() (Query, error) {
	switch {
	case q.Limit < 0 || q.Limit > MaxLimit:
		return q, fmt.Errorf("%w: limit must be between 1 and %d", ErrInvalid, MaxLimit)
	case q.Before < 0:
		return q, fmt.Errorf("%w: before must be a positive seq", ErrInvalid)
	case !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To):
		return q, fmt.Errorf("%w: from must be before to", ErrInvalid)
	case q.ActorKind != "" && !actorKinds[q.ActorKind]:
		return q, fmt.Errorf("%w: unknown actor kind %q", ErrInvalid, q.ActorKind)
	case q.Outcome != "" && !outcomes[q.Outcome]:
		return q, fmt.Errorf("%w: unknown outcome %q", ErrInvalid, q.Outcome)
	case q.Action != "" && !validAction(q.Action):
		return q, fmt.Errorf("%w: action %q is not of the form entity.verb", ErrInvalid, q.Action)
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	q.From, q.To = q.From.UTC(), q.To.UTC()
	return q, nil
}

// Matches reports whether a record satisfies the query's filters (not its
// paging): the reference a store's SQL must agree with in tests.
func (q Query) Matches(r Record) bool {
	return (q.From.IsZero() || !r.Time.Before(q.From)) &&
		(q.To.IsZero() || r.Time.Before(q.To)) &&
		(q.ActorKind == "" || r.Actor.Kind == q.ActorKind) &&
		(q.ActorID == "" || r.Actor.ID == q.ActorID) &&
		(q.Action == "" || r.Action == q.Action) &&
		(q.EntityKind == "" || r.Entity.Kind == q.EntityKind) &&
		(q.EntityID == "" || r.Entity.ID == q.EntityID) &&
		(q.Outcome == "" || r.Outcome == q.Outcome)
}
