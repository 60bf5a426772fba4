package audit

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// renumber gives recs[from:] seqs starting at seq, as an UPDATE closing or
// opening a gap would, without touching their hashes.
func renumber(recs []Record, from int, seq int64) {
	for i := from; i < len(recs); i++ {
		recs[i].Seq = seq + int64(i-from)
	}
}

// forged returns a record sealed onto prev, as someone who knows the
// scheme would insert it.
func forged(t *testing.T, prev Record) Record {
	r := sample(99)
	r.Action = "apikey.delete"
	recs := []Record{r}
	_, err := Seal(Head{Seq: prev.Seq, Hash: prev.Hash}, recs)
	require.NoError(t, err)
	return recs[0]
}

func TestVerifyTampering(t *testing.T) {
	const n = 20
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, recs []Record) []Record
		head   bool // verify against the true head
		kind   ProblemKind
		seq    int64
		thru   int64
		msg    string
	}{
		{name: "intact", tamper: func(_ *testing.T, r []Record) []Record { return r }},
		{name: "intact against its head", head: true, tamper: func(_ *testing.T, r []Record) []Record { return r }},
		{name: "details respaced and reordered (another backend)", tamper: func(_ *testing.T, r []Record) []Record {
			var v map[string]any
			json.Unmarshal(r[6].Details, &v)
			r[6].Details, _ = json.MarshalIndent(v, "", "  ")
			r[6].Time = r[6].Time.Local()
			return r
		}},
		{name: "outcome changed", kind: Changed, seq: 7, thru: 7, msg: "record 7 (2026-03-01T12:00:07Z, tool.call tool \"github/search_repositories\" by gateway_key key-1) was changed",
			tamper: func(_ *testing.T, r []Record) []Record { r[6].Outcome = OutcomeError; return r }},
		{name: "details changed", kind: Changed, seq: 8, thru: 8, msg: "no longer matches its hash",
			tamper: func(_ *testing.T, r []Record) []Record {
				r[7].Details = json.RawMessage(strings.Replace(string(r[7].Details), "new 7", "new 8", 1))
				return r
			}},
		{name: "details no longer JSON", kind: Changed, seq: 7, thru: 7,
			tamper: func(_ *testing.T, r []Record) []Record { r[6].Details = r[6].Details[:5]; return r }},
		{name: "time changed", kind: Changed, seq: 4, thru: 4,
			tamper: func(_ *testing.T, r []Record) []Record { r[3].Time = r[3].Time.Add(-time.Hour); return r }},
		{name: "prev hash changed", kind: Changed, seq: 7, thru: 7,
			tamper: func(_ *testing.T, r []Record) []Record { r[6].PrevHash = r[4].Hash; return r }},
		{name: "hash not hex", kind: Changed, seq: 7, thru: 7,
			tamper: func(_ *testing.T, r []Record) []Record { r[6].Hash = strings.ToUpper(r[6].Hash); return r }},
		// Record 7 now holds record 8 as written: it reads as record 8
		// renumbered, which it is.
		{name: "contents of two records swapped", kind: Removed, seq: 7, thru: 7, msg: "was written as record 8",
			tamper: func(_ *testing.T, r []Record) []Record {
				r[6], r[7] = r[7], r[6]
				r[6].Seq, r[7].Seq = 7, 8
				return r
			}},
		{name: "changed and rehashed", kind: Changed, seq: 7, thru: 7, msg: "record 8 (",
			tamper: func(t *testing.T, r []Record) []Record { r[6].Outcome = OutcomeError; rehash(t, &r[6]); return r }},
		{name: "one removed", kind: Removed, seq: 7, thru: 7, msg: "record 7 missing between record 6 (",
			tamper: func(_ *testing.T, r []Record) []Record { return slices.Delete(r, 6, 7) }},
		{name: "three removed", kind: Removed, seq: 7, thru: 9, msg: "records 7 to 9 missing",
			tamper: func(_ *testing.T, r []Record) []Record { return slices.Delete(r, 6, 9) }},
		{name: "one removed and the rest renumbered", kind: Removed, seq: 7, thru: 7, msg: "was written as record 8: record 7 as written removed",
			tamper: func(_ *testing.T, r []Record) []Record { r = slices.Delete(r, 6, 7); renumber(r, 6, 7); return r }},
		{name: "two removed and the rest renumbered", kind: Removed, seq: 7, thru: 8,
			tamper: func(_ *testing.T, r []Record) []Record { r = slices.Delete(r, 6, 8); renumber(r, 6, 7); return r }},
		{name: "first removed", kind: Removed, seq: 1, thru: 1, msg: "no checkpoint accounts for them",
			tamper: func(_ *testing.T, r []Record) []Record { return r[1:] }},
		{name: "first removed and the rest renumbered", kind: Removed, seq: 1, thru: 1,
			tamper: func(_ *testing.T, r []Record) []Record { r = r[1:]; renumber(r, 0, 1); return r }},
		{name: "last removed, head known", head: true, kind: Removed, seq: n, thru: n, msg: "missing at the end",
			tamper: func(_ *testing.T, r []Record) []Record { return r[:n-1] }},
		{name: "all removed, head known", head: true, kind: Removed, seq: 1, thru: n,
			tamper: func(_ *testing.T, r []Record) []Record { return nil }},
		{name: "last changed and rehashed, head known", head: true, kind: Changed, seq: n, thru: n,
			tamper: func(t *testing.T, r []Record) []Record { r[n-1].Outcome = OutcomeError; rehash(t, &r[n-1]); return r }},
		{name: "forged record appended, head known", head: true, kind: Inserted, seq: n + 1, thru: n + 1,
			tamper: func(t *testing.T, r []Record) []Record { return append(r, forged(t, r[n-1])) }},
		{name: "forged record inserted, rest renumbered", kind: Inserted, seq: 7, thru: 7, msg: "record 7 inserted",
			tamper: func(t *testing.T, r []Record) []Record {
				r = slices.Insert(r, 6, forged(t, r[5]))
				renumber(r, 7, 8)
				return r
			}},
		{name: "three forged records inserted, rest renumbered", kind: Inserted, seq: 7, thru: 9,
			tamper: func(t *testing.T, r []Record) []Record {
				f1 := forged(t, r[5])
				f2 := forged(t, f1)
				f3 := forged(t, f2)
				r = slices.Insert(r, 6, f1, f2, f3)
				renumber(r, 9, 10)
				return r
			}},
		{name: "forged records inserted, rest renumbered and rehashed", kind: Inserted, seq: 7, thru: 8,
			tamper: func(t *testing.T, r []Record) []Record {
				f1 := forged(t, r[5])
				f2 := forged(t, f1)
				r = slices.Insert(r, 6, f1, f2)
				renumber(r, 8, 9)
				for i := 8; i < len(r); i++ {
					rehash(t, &r[i])
				}
				return r
			}},
		{name: "record with a garbage hash inserted", kind: Changed, seq: 7, thru: 7,
			tamper: func(_ *testing.T, r []Record) []Record {
				x := r[6]
				x.Hash = strings.Repeat("ab", 32)
				r = slices.Insert(r, 6, x)
				renumber(r, 7, 8)
				return r
			}},
		{name: "seq repeated", kind: Inserted, seq: 7, thru: 7, msg: "it follows record 7",
			tamper: func(_ *testing.T, r []Record) []Record { return slices.Insert(r, 7, r[6]) }},
		{name: "seq out of order", kind: Inserted, seq: 3, thru: 3,
			tamper: func(_ *testing.T, r []Record) []Record { return slices.Insert(r, 7, r[2]) }},
		{name: "seq zero first", kind: Inserted, seq: 0, thru: 0, msg: "seqs start at 1",
			tamper: func(_ *testing.T, r []Record) []Record { x := r[0]; x.Seq = 0; return slices.Insert(r, 0, x) }},
		{name: "first not from genesis", kind: Changed, seq: 1, thru: 1, msg: "genesis",
			tamper: func(t *testing.T, r []Record) []Record {
				r[0].PrevHash = strings.Repeat("1", 64)
				rehash(t, &r[0])
				return r
			}},
		{name: "changed after a removal: the removal is first", kind: Removed, seq: 3, thru: 3,
			tamper: func(_ *testing.T, r []Record) []Record { r[10].Outcome = OutcomeError; return slices.Delete(r, 2, 3) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := chain(t, n)
			trueHead := Head{Seq: recs[n-1].Seq, Hash: recs[n-1].Hash}
			recs = tc.tamper(t, recs)
			opts := VerifyOptions{}
			if tc.head {
				opts.Head = &trueHead
			}
			rep, err := Verify(context.Background(), NewSlice(recs), opts)
			require.NoError(t, err)
			if tc.kind == "" {
				require.Nil(t, rep.Problem)
				require.Equal(t, int64(n), rep.Records)
				require.Equal(t, trueHead, rep.Head)
				require.Equal(t, int64(1), rep.FirstSeq)
				require.Nil(t, rep.Pruned)
				return
			}
			require.NotNil(t, rep.Problem, "tampering not detected")
			require.Equal(t, tc.kind, rep.Problem.Kind, rep.Problem.Message)
			require.Equal(t, tc.seq, rep.Problem.Seq, rep.Problem.Message)
			require.Equal(t, tc.thru, rep.Problem.Through, rep.Problem.Message)
			require.Contains(t, rep.Problem.Message, tc.msg)
			require.Contains(t, rep.Problem.Error(), rep.Problem.Message)
		})
	}
}

func TestVerifyEmpty(t *testing.T) {
	rep, err := Verify(context.Background(), NewSlice(nil), VerifyOptions{})
	require.NoError(t, err)
	require.True(t, rep.OK())
	require.Zero(t, rep.Records)
	empty := EmptyHead()
	rep, err = Verify(context.Background(), NewSlice(nil), VerifyOptions{Head: &Head{Seq: 0, Hash: empty.Hash}})
	require.NoError(t, err)
	require.True(t, rep.OK())
}

type failingIterator struct {
	recs []Record
	err  error
}

func (f *failingIterator) Next(context.Context) (Record, bool, error) {
	if len(f.recs) == 0 {
		return Record{}, false, f.err
	}
	r := f.recs[0]
	f.recs = f.recs[1:]
	return r, true, nil
}

func (f *failingIterator) Close() error { return nil }

func TestVerifyIteratorAndContextErrors(t *testing.T) {
	boom := errors.New("connection reset")
	rep, err := Verify(context.Background(), &failingIterator{recs: chain(t, 3), err: boom}, VerifyOptions{})
	require.ErrorIs(t, err, boom)
	require.Equal(t, int64(3), rep.Records, "the report says how far it got")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Verify(ctx, NewSlice(chain(t, 3)), VerifyOptions{})
	require.ErrorIs(t, err, context.Canceled)
}

// TestVerifyConstantMemory: verification allocates the same whatever the
// chain's length, so that millions of records stream through.
func TestVerifyConstantMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts vary under the race detector")
	}
	allocs := func(n int) float64 {
		recs := chain(t, n)
		return testing.AllocsPerRun(3, func() {
			rep, err := Verify(context.Background(), NewSlice(recs), VerifyOptions{})
			require.NoError(t, err)
			require.True(t, rep.OK())
		})
	}
	small, large := allocs(100), allocs(5000)
	require.Equal(t, small, large, "allocations grow with the chain")
}
