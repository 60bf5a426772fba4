package audit

import (
	"encoding/json"
	"fmt"
	"time"
)

// Checkpoint is the details of a retention checkpoint: the record appended,
// in the transaction that deletes old records, to say which were removed.
//
// Records are removed from the start of the chain only, up to a seq
// (ThroughSeq) below the head's: the first record kept still carries
// ThroughHash as its PrevHash, and the head stays for the checkpoint to
// attach to. The checkpoint itself is an ordinary record at the head, so
// it is chained like any other: changing what it says breaks the chain.
// Verify then proves the records kept unaltered from the one after
// ThroughSeq, and reports what was pruned, how much and when.
type Checkpoint struct {
	// FirstSeq and ThroughSeq are the first and last seq removed.
	FirstSeq   int64 `json:"first_seq"`
	ThroughSeq int64 `json:"through_seq"`
	// ThroughHash is the Hash of record ThroughSeq.
	ThroughHash string `json:"through_hash"`
	// Count is the number of records removed: ThroughSeq-FirstSeq+1, as
	// counted by the deletion (a store that counts otherwise has a gap).
	Count int64 `json:"count"`
	// Cutoff is the retention limit applied: records older were removed.
	Cutoff time.Time `json:"cutoff"`
}

// Validate checks the checkpoint's internal consistency.
func (c Checkpoint) Validate() error {
	switch {
	case c.FirstSeq < 1 || c.ThroughSeq < c.FirstSeq:
		return fmt.Errorf("%w: checkpoint removes seq %d to %d", ErrInvalid, c.FirstSeq, c.ThroughSeq)
	case c.Count != c.ThroughSeq-c.FirstSeq+1:
		return fmt.Errorf("%w: checkpoint counts %d records removed from seq %d to %d",
			ErrInvalid, c.Count, c.FirstSeq, c.ThroughSeq)
	case !validHash(c.ThroughHash):
		return fmt.Errorf("%w: checkpoint hash %q is not 64 lowercase hex digits", ErrInvalid, c.ThroughHash)
	case c.Cutoff.IsZero():
		return fmt.Errorf("%w: checkpoint without a cutoff", ErrInvalid)
	}
	return nil
}

// NewCheckpoint returns the checkpoint record to append (with Write, in the
// same transaction as the deletion) after removing records; at is the time
// of the pruning.
func NewCheckpoint(at time.Time, c Checkpoint) (Record, error) {
	c.Cutoff = c.Cutoff.UTC().Truncate(time.Microsecond)
	if err := c.Validate(); err != nil {
		return Record{}, err
	}
	return trailRecord(at, "retention", ActionCheckpoint, OutcomeSuccess, c)
}

// trailRecord is a record the product writes about the trail itself (actor
// system who, entity kind "audit"), with v as its details.
func trailRecord(at time.Time, who, action string, outcome Outcome, v any) (Record, error) {
	details, err := DetailsOf(v)
	if err != nil {
		return Record{}, err
	}
	return Record{
		Time:    at,
		Actor:   Actor{Kind: ActorSystem, ID: who},
		Action:  action,
		Entity:  Entity{Kind: "audit"},
		Outcome: outcome,
		Details: details,
	}, nil
}

// CheckpointOf reads the checkpoint a record carries; ok is false for a
// record of another action.
func CheckpointOf(r Record) (Checkpoint, bool, error) {
	if r.Action != ActionCheckpoint {
		return Checkpoint{}, false, nil
	}
	c, err := decodeCheckpoint(r)
	return c, true, err
}

func decodeCheckpoint(r Record) (Checkpoint, error) {
	var c Checkpoint
	if err := json.Unmarshal(r.Details, &c); err != nil {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint details: %v", ErrInvalid, err)
	}
	if err := c.Validate(); err != nil {
		return Checkpoint{}, err
	}
	if c.ThroughSeq >= r.Seq {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint %d removes records up to %d, after itself",
			ErrInvalid, r.Seq, c.ThroughSeq)
	}
	return c, nil
}

// DetailsOf encodes v as record details in canonical JSON.
func DetailsOf(v any) (json.RawMessage, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: encode details: %w", err)
	}
	return canonicalDetails(raw)
}
