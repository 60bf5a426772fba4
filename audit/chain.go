package audit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
)

// GenesisHash is the PrevHash of the first record of a chain: 32 zero bytes.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// encodingTag starts every record's canonical encoding: it separates audit
// hashes from any other SHA-256 in the product and names the layout, so
// that a later layout can be told apart.
const encodingTag = "smg-audit-record-v1"

// Head is the last record of a chain: where the next one attaches.
type Head struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// EmptyHead is the head of a chain without records.
func EmptyHead() Head { return Head{Seq: 0, Hash: GenesisHash} }

// Canonical returns the bytes a record is hashed as: its fields but the two
// hashes, in a fixed order, each string length-prefixed (so that no two
// records share an encoding however their fields are split), integers in
// fixed width, the time as microseconds since 1970 (independent of how a
// backend writes times) and the details in canonical JSON. Exactly, with
// str(s) = uint64 big-endian byte length of s, then s:
//
//	str("smg-audit-record-v1") ‖ uint64 Seq ‖ int64 Time.UnixMicro() ‖
//	str(Actor.Kind) ‖ str(Actor.ID) ‖ str(Actor.UserID) ‖ str(Actor.ProjectID) ‖
//	str(Actor.Addr) ‖ str(Action) ‖ str(Entity.Kind) ‖ str(Entity.ID) ‖
//	str(Entity.Name) ‖ str(Outcome) ‖ str(RequestID) ‖ str(CanonicalJSON(Details))
//
// with empty or null details as str(""). Anyone can recompute a hash from an
// export with this description alone.
func Canonical(r Record) ([]byte, error) {
	return appendCanonical(make([]byte, 0, 256+len(r.Details)), r)
}

func appendCanonical(b []byte, r Record) ([]byte, error) {
	b = appendString(b, encodingTag)
	b = binary.BigEndian.AppendUint64(b, uint64(r.Seq))
	b = binary.BigEndian.AppendUint64(b, uint64(r.Time.UnixMicro()))
	for _, s := range [...]string{string(r.Actor.Kind), r.Actor.ID, r.Actor.UserID, r.Actor.ProjectID,
		r.Actor.Addr, r.Action, r.Entity.Kind, r.Entity.ID, r.Entity.Name, string(r.Outcome), r.RequestID} {
		b = appendString(b, s)
	}
	// The details go in last, length-prefixed like the rest: reserve the
	// prefix, write the canonical form after it, then fill it in. None and
	// null are alike (a backend may keep either).
	at := len(b)
	b = append(b, make([]byte, 8)...)
	if len(r.Details) == 0 {
		return b, nil
	}
	b, err := appendCanonicalJSON(b, r.Details)
	if err != nil {
		return nil, fmt.Errorf("audit: details of record %d: %w", r.Seq, err)
	}
	if string(b[at+8:]) == "null" {
		b = b[:at+8]
	}
	binary.BigEndian.PutUint64(b[at:], uint64(len(b)-at-8))
	return b, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(len(s)))
	return append(b, s...)
}

// ComputeHash returns the hash a record must carry after prevHash:
// hex(SHA-256(prev ‖ Canonical(r))) with prev the 32 bytes prevHash spells.
func ComputeHash(prevHash string, r Record) (string, error) {
	sum, _, err := sumRecord(make([]byte, 0, 320+len(r.Details)), prevHash, r)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(sum[:]), nil
}

// sumRecord computes a record's hash in binary, encoding into buf (which it
// returns for reuse: verification hashes every record).
func sumRecord(buf []byte, prevHash string, r Record) ([sha256.Size]byte, []byte, error) {
	var prev [sha256.Size]byte
	if !validHash(prevHash) {
		return prev, buf, fmt.Errorf("audit: previous hash %q is not 64 lowercase hex digits", prevHash)
	}
	hex.Decode(prev[:], []byte(prevHash))
	enc, err := appendCanonical(append(buf[:0], prev[:]...), r)
	if err != nil {
		return prev, buf, err
	}
	return sha256.Sum256(enc), enc, nil
}

// validHash accepts 64 lowercase hex digits: hashes are compared as
// strings, so one spelling only.
func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Seal attaches records to a chain whose head is head, in order: each is
// normalized and validated, then given the next seq, the previous hash and
// its own hash, in place. It returns the new head. Nothing is changed when
// a record is invalid.
func Seal(head Head, recs []Record) (Head, error) {
	if head.Seq < 0 || !validHash(head.Hash) {
		return head, fmt.Errorf("audit: bad chain head %d/%q", head.Seq, head.Hash)
	}
	sealed := make([]Record, len(recs))
	h := head
	for i, r := range recs {
		r, err := r.Normalize()
		if err != nil {
			return head, err
		}
		if err := r.Validate(); err != nil {
			return head, err
		}
		r.Seq, r.PrevHash = h.Seq+1, h.Hash
		if r.Hash, err = ComputeHash(r.PrevHash, r); err != nil {
			return head, err
		}
		sealed[i] = r
		h = Head{Seq: r.Seq, Hash: r.Hash}
	}
	copy(recs, sealed)
	return h, nil
}

// ErrHeadMoved is what an Appender's Append answers when the chain's head is
// not the one the records were sealed on (their first Seq and PrevHash): it
// wrote nothing, and the transaction can still append at the real head.
var ErrHeadMoved = errors.New("audit: the chain's head is not where the records attach")

// Write seals records onto the chain of a and appends them. Call it last in
// the transaction, just before the commit: the chain's lock is held from
// Last to the end of the transaction.
func Write(ctx context.Context, a Appender, recs ...Record) error {
	_, err := writeLocked(ctx, a, recs)
	return err
}

// WriteAt is Write for a writer that remembers the head it last appended at
// (known false when it has none): the records are sealed on that guess and
// appended without reading the head first, which saves a round trip to the
// database on every write. Append takes the chain's lock and moves the head
// only from the guess, so a wrong guess (another instance appended, or the
// transaction that moved the head rolled back) writes nothing and falls back
// to Write's locking read. It returns the head after the records: the next
// guess.
func WriteAt(ctx context.Context, a Appender, guess Head, known bool, recs ...Record) (Head, error) {
	if len(recs) == 0 || !known {
		return writeLocked(ctx, a, recs)
	}
	sealed := append([]Record(nil), recs...)
	head, err := Seal(guess, sealed)
	if err != nil {
		return Head{}, err
	}
	err = a.Append(ctx, sealed)
	if errors.Is(err, ErrHeadMoved) {
		return writeLocked(ctx, a, recs)
	}
	if err != nil {
		return Head{}, fmt.Errorf("audit: append: %w", err)
	}
	return head, nil
}

// writeLocked reads the head with its lock, seals the records on it and
// appends them.
func writeLocked(ctx context.Context, a Appender, recs []Record) (Head, error) {
	if len(recs) == 0 {
		return Head{}, nil
	}
	head, err := a.Last(ctx)
	if err != nil {
		return Head{}, fmt.Errorf("audit: read chain head: %w", err)
	}
	sealed := append([]Record(nil), recs...)
	if head, err = Seal(head, sealed); err != nil {
		return Head{}, err
	}
	if err := a.Append(ctx, sealed); err != nil {
		return Head{}, fmt.Errorf("audit: append: %w", err)
	}
	return head, nil
}
