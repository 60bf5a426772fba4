package audit

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var cutoff = t0.Add(time.Hour)

// prune removes recs[:k] (by position) as a store's retention would: the
// checkpoint names them and is appended at the head, which is never
// removed.
func prune(t *testing.T, recs []Record, k int) []Record {
	t.Helper()
	require.Less(t, k, len(recs), "retention keeps the head")
	cp, err := NewCheckpoint(t0.Add(48*time.Hour), Checkpoint{FirstSeq: recs[0].Seq, ThroughSeq: recs[k-1].Seq,
		ThroughHash: recs[k-1].Hash, Count: int64(k), Cutoff: cutoff})
	require.NoError(t, err)
	return extend(t, slices.Clone(recs[k:]), cp)
}

func verify(t *testing.T, recs []Record) Report {
	t.Helper()
	rep, err := Verify(context.Background(), NewSlice(recs), VerifyOptions{})
	require.NoError(t, err)
	return rep
}

func TestCheckpointPruning(t *testing.T) {
	recs := prune(t, chain(t, 30), 10)
	rep := verify(t, recs)
	require.Nil(t, rep.Problem)
	require.Equal(t, int64(11), rep.FirstSeq)
	require.Equal(t, int64(21), rep.Records)
	require.Equal(t, int64(1), rep.Checkpoints)
	require.Equal(t, &Pruned{ThroughSeq: 10, CheckpointSeq: 31, At: t0.Add(48 * time.Hour), Cutoff: cutoff, Count: 10}, rep.Pruned)

	// A second pruning removes the first checkpoint too.
	recs = extend(t, recs, sample(40), sample(41))
	recs = prune(t, recs, 21) // seq 11..31
	rep = verify(t, recs)
	require.Nil(t, rep.Problem)
	require.Equal(t, int64(32), rep.FirstSeq)
	require.Equal(t, int64(31), rep.Pruned.ThroughSeq)
	require.Equal(t, int64(21), rep.Pruned.Count)
	require.Equal(t, int64(34), rep.Pruned.CheckpointSeq)
}

// TestCheckpointOnlyCheckpointsLeft: pruning all but the head, twice,
// leaves a chain starting with a checkpoint that another accounts for.
func TestCheckpointOnlyCheckpointsLeft(t *testing.T) {
	recs := prune(t, chain(t, 10), 9) // 10, checkpoint 11
	recs = prune(t, recs, 1)          // checkpoint 11, checkpoint 12
	rep := verify(t, recs)
	require.Nil(t, rep.Problem)
	require.Equal(t, int64(11), rep.FirstSeq)
	require.Equal(t, int64(10), rep.Pruned.ThroughSeq)
	require.Equal(t, int64(12), rep.Pruned.CheckpointSeq)
}

// TestCheckpointBothVisible: an earlier checkpoint still in the chain must
// end where the later one starts.
func TestCheckpointBothVisible(t *testing.T) {
	recs := prune(t, chain(t, 30), 10) // seq 11..30, checkpoint 31
	recs = prune(t, recs, 5)           // seq 16..31, checkpoint 32
	rep := verify(t, recs)
	require.Nil(t, rep.Problem)
	require.Equal(t, int64(2), rep.Checkpoints)
	require.Equal(t, int64(15), rep.Pruned.ThroughSeq)
	require.Equal(t, int64(5), rep.Pruned.Count)
}

func TestCheckpointTampering(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T) []Record
		kind   ProblemKind
		seq    int64
		thru   int64
		msg    string
	}{
		{name: "pruned without a checkpoint", kind: Removed, seq: 1, thru: 10, msg: "records 1 to 10 missing: the chain starts at record 11 and no checkpoint",
			tamper: func(t *testing.T) []Record { return chain(t, 30)[10:] }},
		{name: "one more removed than the checkpoint says", kind: Removed, seq: 11, thru: 11, msg: "record 11 missing",
			tamper: func(t *testing.T) []Record { return prune(t, chain(t, 30), 10)[1:] }},
		{name: "records kept that the checkpoint removed", kind: Inserted, seq: 1, thru: 10,
			tamper: func(t *testing.T) []Record {
				recs := chain(t, 30)
				pruned := prune(t, recs, 10)
				return append(recs, pruned[len(pruned)-1])
			}},
		{name: "checkpoint count changed", kind: Changed, seq: 31, thru: 31,
			tamper: func(t *testing.T) []Record {
				recs := prune(t, chain(t, 30), 10)
				cp := &recs[len(recs)-1]
				cp.Details = json.RawMessage(strings.Replace(string(cp.Details), `"count":10`, `"count":5`, 1))
				return recs
			}},
		{name: "checkpoint count changed and rehashed", kind: Changed, seq: 31, thru: 31, msg: "not a valid checkpoint",
			tamper: func(t *testing.T) []Record {
				recs := prune(t, chain(t, 30), 10)
				cp := &recs[len(recs)-1]
				cp.Details = json.RawMessage(strings.Replace(string(cp.Details), `"count":10`, `"count":5`, 1))
				rehash(t, cp)
				return recs
			}},
		{name: "checkpoint hash changed and rehashed", kind: Changed, seq: 11, thru: 11, msg: "does not attach",
			tamper: func(t *testing.T) []Record {
				recs := prune(t, chain(t, 30), 10)
				cp := &recs[len(recs)-1]
				var c Checkpoint
				require.NoError(t, json.Unmarshal(cp.Details, &c))
				c.ThroughHash = strings.Repeat("e", 64)
				cp.Details, _ = DetailsOf(c)
				rehash(t, cp)
				return recs
			}},
		{name: "checkpoint removed", kind: Removed, seq: 1, thru: 10,
			tamper: func(t *testing.T) []Record { recs := prune(t, chain(t, 30), 10); return recs[:len(recs)-1] }},
		{name: "a gap between two checkpoints", kind: Removed, seq: 11, thru: 14, msg: "removed without a checkpoint",
			tamper: func(t *testing.T) []Record {
				recs := prune(t, chain(t, 30), 10) // 11..30, checkpoint 31
				recs = recs[4:]                    // 15..31: 11..14 gone
				return prune(t, recs, 5)           // 20..31, checkpoint 32 from 15
			}},
		{name: "changed record after a pruning", kind: Changed, seq: 15, thru: 15,
			tamper: func(t *testing.T) []Record {
				recs := prune(t, chain(t, 30), 10)
				recs[4].RequestID = "other"
				return recs
			}},
		{name: "changed record and an unaccounted start: the start is first", kind: Removed, seq: 1, thru: 10,
			tamper: func(t *testing.T) []Record {
				recs := chain(t, 30)[10:]
				recs[4].RequestID = "other"
				return recs
			}},
		{name: "changed first record after a pruning", kind: Changed, seq: 11, thru: 11,
			tamper: func(t *testing.T) []Record {
				recs := prune(t, chain(t, 30), 10)
				recs[0].RequestID = "other"
				return recs
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := verify(t, tc.tamper(t))
			require.NotNil(t, rep.Problem, "tampering not detected")
			require.Equal(t, tc.kind, rep.Problem.Kind, rep.Problem.Message)
			require.Equal(t, tc.seq, rep.Problem.Seq, rep.Problem.Message)
			require.Equal(t, tc.thru, rep.Problem.Through, rep.Problem.Message)
			require.Contains(t, rep.Problem.Message, tc.msg)
		})
	}
}

func TestNewCheckpointValidates(t *testing.T) {
	good := Checkpoint{FirstSeq: 1, ThroughSeq: 10, ThroughHash: strings.Repeat("a", 64), Count: 10, Cutoff: cutoff}
	r, err := NewCheckpoint(t0, good)
	require.NoError(t, err)
	require.Equal(t, ActionCheckpoint, r.Action)
	require.Equal(t, ActorSystem, r.Actor.Kind)
	for name, edit := range map[string]func(*Checkpoint){
		"count off":     func(c *Checkpoint) { c.Count = 9 },
		"empty range":   func(c *Checkpoint) { c.ThroughSeq = 0 },
		"first seq 0":   func(c *Checkpoint) { c.FirstSeq = 0; c.Count = 11 },
		"bad hash":      func(c *Checkpoint) { c.ThroughHash = "abc" },
		"no cutoff":     func(c *Checkpoint) { c.Cutoff = time.Time{} },
		"reversed":      func(c *Checkpoint) { c.FirstSeq, c.ThroughSeq = 10, 1 },
		"upper-case hx": func(c *Checkpoint) { c.ThroughHash = strings.Repeat("A", 64) },
	} {
		c := good
		edit(&c)
		_, err := NewCheckpoint(t0, c)
		require.ErrorIs(t, err, ErrInvalid, name)
	}
	// A checkpoint cannot remove records after itself.
	sealed := []Record{r}
	_, err = Seal(Head{Seq: 5, Hash: GenesisHash}, sealed)
	require.NoError(t, err)
	_, ok, err := CheckpointOf(sealed[0])
	require.True(t, ok)
	require.ErrorIs(t, err, ErrInvalid)
	_, ok, err = CheckpointOf(sample(1))
	require.False(t, ok)
	require.NoError(t, err)
}
