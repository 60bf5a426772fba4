package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// ProblemKind classifies what verification found wrong.
type ProblemKind string

const (
	// Changed is a record whose content no longer matches its hash, or that
	// was rewritten with a recomputed hash (the next record still links to
	// the old one).
	Changed ProblemKind = "changed"
	// Removed is a run of missing records: a gap in the seqs, records
	// removed and the rest renumbered, a start no checkpoint accounts for,
	// or records missing after the last one found.
	Removed ProblemKind = "removed"
	// Inserted is a record that was never part of the chain: a repeated or
	// out-of-order seq, a record between two that link to each other, or
	// records kept although a checkpoint removed them.
	Inserted ProblemKind = "inserted"
)

// Problem is the first thing wrong with a chain, named precisely.
type Problem struct {
	Kind ProblemKind `json:"kind"`
	// Seq is the record named: the changed one, the first removed or the
	// first inserted; Through is the last of a run (equal to Seq for one).
	Seq     int64 `json:"seq"`
	Through int64 `json:"through"`
	// Message says it for a human, naming the record by seq, time, action
	// and entity.
	Message string `json:"message"`
}

func (p *Problem) Error() string { return "audit chain: " + p.Message }

// Pruned says which records retention removed from the start of a chain.
type Pruned struct {
	// ThroughSeq is the last seq removed: records 1 to ThroughSeq are gone.
	ThroughSeq int64 `json:"through_seq"`
	// CheckpointSeq, At and Cutoff name the checkpoint of the last pruning:
	// its seq, when it ran, and the age limit it applied. Count is how many
	// records it removed.
	CheckpointSeq int64     `json:"checkpoint_seq"`
	At            time.Time `json:"at"`
	Cutoff        time.Time `json:"cutoff"`
	Count         int64     `json:"count"`
}

// Report is the result of verifying a chain.
type Report struct {
	// Records is the number of records verified before the first problem.
	Records  int64 `json:"records"`
	FirstSeq int64 `json:"first_seq"`
	// Head is the last record verified; keep it elsewhere (a ticket, a
	// log) and pass it to a later Verify as VerifyOptions.Head to detect
	// records removed from the end or a chain rewritten whole.
	Head        Head    `json:"head"`
	Checkpoints int64   `json:"checkpoints"`
	Pruned      *Pruned `json:"pruned,omitempty"`
	// Problem is nil when the chain is intact.
	Problem *Problem `json:"problem,omitempty"`
}

// OK reports an intact chain.
func (r Report) OK() bool { return r.Problem == nil }

// VerifyOptions tunes Verify.
type VerifyOptions struct {
	// Head, when set, is the head the chain must end at: the store's
	// recorded head (read in the same snapshot as the records) or one kept
	// from an earlier verification. Records missing after the last one, or
	// a last record rewritten, are reported.
	Head *Head
}

// Verify walks a chain in seq order, recomputes every hash and link, and
// reports the first problem. It holds a constant amount of memory whatever
// the chain's length. The error is the iterator's or the context's: a
// tampered chain is a Report with a Problem, not an error.
func Verify(ctx context.Context, it Iterator, opts VerifyOptions) (Report, error) {
	v := NewVerifier(opts)
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return v.Report(), err
			}
		}
		r, ok, err := it.Next(ctx)
		if err != nil {
			return v.Report(), fmt.Errorf("audit: read records: %w", err)
		}
		if !ok || v.Add(r) {
			break
		}
	}
	return v.Finish(), nil
}

// shiftTries bounds the renumbering Verifier looks for when a hash does not
// match: removing or inserting up to this many records in one place and
// renumbering the rest is reported as such, not as a changed record.
const shiftTries = 16

// recent is how many verified hashes Verifier remembers, to recognise a
// record that links past inserted ones.
const recent = shiftTries + 1

// Verifier checks records one at a time, for callers that read records
// otherwise than through an Iterator. Feed records in seq order to Add
// until it returns true, then call Finish.
type Verifier struct {
	opts    VerifyOptions
	report  Report
	last    Record
	hashes  [recent]Head // the last verified records, by seq % recent
	started bool         // the first record was seen
	pending bool         // the chain starts after seq 1, not yet accounted for
	startAt string       // PrevHash of the first record
	lastCP  *Checkpoint  // the last checkpoint verified
	maxCut  int64        // the highest ThroughSeq of any checkpoint
	done    bool
	buf     []byte // encoding buffer, reused
}

// NewVerifier returns a Verifier for one chain.
func NewVerifier(opts VerifyOptions) *Verifier {
	return &Verifier{opts: opts, report: Report{Head: EmptyHead()}}
}

// Report returns what has been verified so far.
func (v *Verifier) Report() Report { return v.report }

// Add verifies the next record. It returns true once a problem is settled:
// later records cannot change the report.
func (v *Verifier) Add(r Record) bool {
	if v.done {
		return true
	}
	if !v.started {
		// The start is known from the first record even if it proves bad:
		// a checkpoint may still account for the records before it.
		v.started = true
		v.report.FirstSeq = r.Seq
		v.pending = r.Seq > 1
		v.startAt = r.PrevHash
	}
	if v.report.Problem != nil {
		// A problem was found while the chain's start was unaccounted for:
		// only a checkpoint can still account for it, and the earlier of
		// the two problems is the one reported.
		if v.claimsStart(r) {
			v.pending = false
			v.done = true
		}
		return v.done
	}
	p := v.check(r)
	if p == nil {
		v.accept(r)
		p = v.checkpoint(r)
	}
	if p != nil {
		v.report.Problem = p
		if v.claimsStart(r) {
			// The checkpoint that accounts for the start is itself wrong:
			// that is the problem to report.
			v.pending = false
		}
		v.done = !v.pending
	}
	return v.done
}

// Finish settles what only the end of the chain shows: a start no
// checkpoint accounts for, and the expected head.
func (v *Verifier) Finish() Report {
	v.done = true
	if v.pending {
		first, last := v.maxCut+1, v.report.FirstSeq-1
		v.report.Problem = &Problem{Kind: Removed, Seq: first, Through: last,
			Message: fmt.Sprintf("%s missing: the chain starts at record %d and no checkpoint accounts for them",
				span(first, last), v.report.FirstSeq)}
		v.pending = false
	}
	if v.report.Problem == nil && v.opts.Head != nil {
		v.report.Problem = v.checkHead(*v.opts.Head)
	}
	return v.report
}

// check verifies a record's seq, hash and link to the record before.
func (v *Verifier) check(r Record) *Problem {
	first := v.report.Records == 0
	ls := v.last.Seq
	switch {
	case first && r.Seq < 1:
		return &Problem{Kind: Inserted, Seq: r.Seq, Through: r.Seq,
			Message: fmt.Sprintf("%s was inserted: seqs start at 1", r.label())}
	case !first && r.Seq <= ls:
		return &Problem{Kind: Inserted, Seq: r.Seq, Through: r.Seq,
			Message: fmt.Sprintf("%s was inserted: it follows record %d (seqs only increase)", r.label(), ls)}
	case !first && r.Seq > ls+1:
		return &Problem{Kind: Removed, Seq: ls + 1, Through: r.Seq - 1,
			Message: fmt.Sprintf("%s missing between %s and %s", span(ls+1, r.Seq-1), v.last.label(), r.label())}
	}
	if !v.hashMatches(r.PrevHash, r) {
		return v.mismatch(r)
	}
	switch {
	case first && r.Seq == 1 && r.PrevHash != GenesisHash:
		return &Problem{Kind: Changed, Seq: 1, Through: 1, Message: fmt.Sprintf(
			"%s does not start from the genesis hash: it was rewritten, or records before it were removed and the rest renumbered",
			r.label())}
	case first:
		return nil
	case r.PrevHash == v.last.Hash:
		return nil
	}
	// r is intact but does not link to the record before it.
	for s := ls - 1; s >= 1 && s > ls-recent; s-- {
		if h := v.hashes[s%recent]; h.Seq == s && h.Hash == r.PrevHash {
			return &Problem{Kind: Inserted, Seq: s + 1, Through: ls, Message: fmt.Sprintf(
				"%s inserted: %s links to record %d", span(s+1, ls), r.label(), s)}
		}
	}
	return &Problem{Kind: Changed, Seq: ls, Through: ls, Message: fmt.Sprintf(
		"%s was rewritten with a recomputed hash: %s still links to its former hash (or records after it were removed and the rest renumbered)",
		v.last.label(), r.label())}
}

// mismatch names what a record whose hash does not match shows: records
// removed or inserted before it and the rest renumbered (its hash matches
// another seq), or a change.
func (v *Verifier) mismatch(r Record) *Problem {
	for d := int64(1); d <= shiftTries; d++ {
		if v.hashMatches(r.PrevHash, withSeq(r, r.Seq+d)) {
			return &Problem{Kind: Removed, Seq: r.Seq, Through: r.Seq + d - 1, Message: fmt.Sprintf(
				"%s was written as record %d: %s as written removed and the records after renumbered",
				r.label(), r.Seq+d, span(r.Seq, r.Seq+d-1))}
		}
		if r.Seq-d >= 1 && v.hashMatches(r.PrevHash, withSeq(r, r.Seq-d)) {
			return &Problem{Kind: Inserted, Seq: r.Seq - d, Through: r.Seq - 1, Message: fmt.Sprintf(
				"%s inserted: %s was written as record %d, the records from there on were renumbered",
				span(r.Seq-d, r.Seq-1), r.label(), r.Seq-d)}
		}
	}
	return &Problem{Kind: Changed, Seq: r.Seq, Through: r.Seq,
		Message: fmt.Sprintf("%s was changed: its content no longer matches its hash", r.label())}
}

func withSeq(r Record, seq int64) Record {
	r.Seq = seq
	return r
}

func (v *Verifier) hashMatches(prev string, r Record) bool {
	var want [sha256.Size]byte
	if !validHash(r.Hash) {
		return false
	}
	hex.Decode(want[:], []byte(r.Hash))
	sum, buf, err := sumRecord(v.buf, prev, r)
	v.buf = buf
	return err == nil && sum == want
}

// accept records a verified record.
func (v *Verifier) accept(r Record) {
	v.report.Records++
	v.report.Head = Head{Seq: r.Seq, Hash: r.Hash}
	v.hashes[r.Seq%recent] = v.report.Head
	v.last = r
}

// checkpoint checks a verified checkpoint record against the chain.
func (v *Verifier) checkpoint(r Record) *Problem {
	if r.Action != ActionCheckpoint {
		return nil
	}
	c, err := decodeCheckpoint(r)
	if err != nil {
		return &Problem{Kind: Changed, Seq: r.Seq, Through: r.Seq,
			Message: fmt.Sprintf("%s is not a valid checkpoint: %v", r.label(), err)}
	}
	v.report.Checkpoints++
	first := v.report.FirstSeq
	switch {
	case c.ThroughSeq >= first:
		return &Problem{Kind: Inserted, Seq: first, Through: c.ThroughSeq, Message: fmt.Sprintf(
			"%s present although %s removed records %d to %d", span(first, c.ThroughSeq), r.label(), c.FirstSeq, c.ThroughSeq)}
	case v.lastCP != nil && c.FirstSeq != v.lastCP.ThroughSeq+1:
		from := v.lastCP.ThroughSeq + 1
		return &Problem{Kind: Removed, Seq: from, Through: c.FirstSeq - 1, Message: fmt.Sprintf(
			"%s removed without a checkpoint: the checkpoint before %s ended at record %d",
			span(from, c.FirstSeq-1), r.label(), v.lastCP.ThroughSeq)}
	case v.pending && c.ThroughSeq == first-1 && c.ThroughHash != v.startAt:
		return &Problem{Kind: Changed, Seq: first, Through: first, Message: fmt.Sprintf(
			"record %d, the first kept, does not attach where %s says the removed records ended",
			first, r.label())}
	}
	v.lastCP = &c
	v.maxCut = max(v.maxCut, c.ThroughSeq)
	if v.resolves(c) {
		v.pending = false
		v.report.Pruned = &Pruned{ThroughSeq: c.ThroughSeq, CheckpointSeq: r.Seq, At: r.Time,
			Cutoff: c.Cutoff, Count: c.Count}
	}
	return nil
}

// claimsStart reports a checkpoint record, verified or not, that says it
// removed the records just before the chain's first.
func (v *Verifier) claimsStart(r Record) bool {
	if !v.pending || r.Action != ActionCheckpoint {
		return false
	}
	var c Checkpoint
	return json.Unmarshal(r.Details, &c) == nil && c.ThroughSeq == v.report.FirstSeq-1
}

// resolves reports a checkpoint that accounts for the chain's start.
func (v *Verifier) resolves(c Checkpoint) bool {
	return v.pending && c.ThroughSeq == v.report.FirstSeq-1 && c.ThroughHash == v.startAt
}

// checkHead compares the chain's end with the head it must reach.
func (v *Verifier) checkHead(want Head) *Problem {
	got := v.report.Head
	switch {
	case got.Seq < want.Seq:
		return &Problem{Kind: Removed, Seq: got.Seq + 1, Through: want.Seq, Message: fmt.Sprintf(
			"%s missing at the end: the chain ends at record %d, its head is record %d", span(got.Seq+1, want.Seq),
			got.Seq, want.Seq)}
	case got.Seq > want.Seq:
		return &Problem{Kind: Inserted, Seq: want.Seq + 1, Through: got.Seq, Message: fmt.Sprintf(
			"%s beyond the chain's head (record %d)", span(want.Seq+1, got.Seq), want.Seq)}
	case got.Hash != want.Hash:
		return &Problem{Kind: Changed, Seq: got.Seq, Through: got.Seq, Message: fmt.Sprintf(
			"%s is not the chain's head: it was rewritten with a recomputed hash", v.last.label())}
	}
	return nil
}

// span names a run of records.
func span(from, through int64) string {
	if from == through {
		return fmt.Sprintf("record %d", from)
	}
	return fmt.Sprintf("records %d to %d", from, through)
}
