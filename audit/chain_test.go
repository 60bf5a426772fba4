package audit

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestComputeHashGolden pins the encoding: a change to Canonical makes
// every stored chain fail verification, so it must be deliberate (a new
// encodingTag), never accidental. The expected value was computed apart
// from this package, from the layout Canonical documents.
func TestComputeHashGolden(t *testing.T) {
	r := Record{Seq: 1, Time: time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC),
		Actor:  Actor{Kind: ActorAdminKey, ID: "k1", Addr: "127.0.0.1"},
		Action: "server.update", Entity: Entity{Kind: "server", ID: "c1/github", Name: "github"},
		Outcome: OutcomeSuccess, RequestID: "r1", Details: json.RawMessage(`{"changes":[{"path":"/Description","before":"a","after":"b"}]}`)}
	h, err := ComputeHash(GenesisHash, r)
	require.NoError(t, err)
	require.Equal(t, "7264c736938ea2f0e5dddb00b1d9f0411768095fc815a29cb66cf8bd542b75e5", h)
}

// TestHashIndependentOfStorageForm: how a backend gives a record back (time
// zone, JSON spacing and member order, numbers rewritten, null for no
// details) does not change its hash.
func TestHashIndependentOfStorageForm(t *testing.T) {
	r := chain(t, 1)[0]
	want := r.Hash
	stored := r
	stored.Time = r.Time.In(time.FixedZone("X", 5*3600+1800))
	stored.Details = json.RawMessage(" " + strings.ReplaceAll(string(r.Details), ",", " ,\n ") + " ")
	h, err := ComputeHash(stored.PrevHash, stored)
	require.NoError(t, err)
	require.Equal(t, want, h)

	none := r
	none.Details = nil
	hNone, err := ComputeHash(none.PrevHash, none)
	require.NoError(t, err)
	none.Details = json.RawMessage("null")
	hNull, err := ComputeHash(none.PrevHash, none)
	require.NoError(t, err)
	require.Equal(t, hNone, hNull)
}

// TestHashCoversEveryField: changing any field changes the hash, and
// moving bytes from one field to the next does too (length prefixes).
func TestHashCoversEveryField(t *testing.T) {
	base := chain(t, 2)[1]
	for name, edit := range map[string]func(*Record){
		"seq":           func(r *Record) { r.Seq++ },
		"time":          func(r *Record) { r.Time = r.Time.Add(time.Microsecond) },
		"actor kind":    func(r *Record) { r.Actor.Kind = ActorRootKey },
		"actor id":      func(r *Record) { r.Actor.ID += "x" },
		"actor user":    func(r *Record) { r.Actor.UserID += "x" },
		"actor project": func(r *Record) { r.Actor.ProjectID += "x" },
		"actor addr":    func(r *Record) { r.Actor.Addr += "x" },
		"action":        func(r *Record) { r.Action = "server.delete" },
		"entity kind":   func(r *Record) { r.Entity.Kind += "x" },
		"entity id":     func(r *Record) { r.Entity.ID += "x" },
		"entity name":   func(r *Record) { r.Entity.Name += "x" },
		"outcome":       func(r *Record) { r.Outcome = OutcomeError },
		"request id":    func(r *Record) { r.RequestID += "x" },
		"details":       func(r *Record) { r.Details = json.RawMessage(`{"changes":[]}`) },
		"prev hash":     func(r *Record) { r.PrevHash = strings.Repeat("1", 64) },
		"shifted bytes": func(r *Record) { r.Entity.Kind, r.Entity.ID = r.Entity.Kind+r.Entity.ID[:1], r.Entity.ID[1:] },
	} {
		r := base
		edit(&r)
		h, err := ComputeHash(r.PrevHash, r)
		require.NoError(t, err, name)
		require.NotEqual(t, base.Hash, h, name)
	}
}

func TestComputeHashRejectsBadInput(t *testing.T) {
	r := sample(1)
	_, err := ComputeHash("abc", r)
	require.Error(t, err)
	_, err = ComputeHash(strings.ToUpper(strings.Repeat("a", 64)), r)
	require.Error(t, err, "upper-case hex is another spelling")
	r.Details = json.RawMessage(`{"a":`)
	_, err = ComputeHash(GenesisHash, r)
	require.Error(t, err)
}

func TestSeal(t *testing.T) {
	recs := []Record{sample(0), sample(1), sample(2)}
	recs[1].Time = time.Date(2026, 1, 1, 0, 0, 0, 123456789, time.FixedZone("Y", -3600))
	recs[2].Details = json.RawMessage(` {"b": 1.0, "a": [ ]} `)
	head, err := Seal(EmptyHead(), recs)
	require.NoError(t, err)
	require.Equal(t, Head{Seq: 3, Hash: recs[2].Hash}, head)
	require.Equal(t, GenesisHash, recs[0].PrevHash)
	for i, r := range recs {
		require.Equal(t, int64(i+1), r.Seq)
		if i > 0 {
			require.Equal(t, recs[i-1].Hash, r.PrevHash)
		}
	}
	require.Equal(t, time.UTC, recs[1].Time.Location())
	require.Equal(t, 123456000, recs[1].Time.Nanosecond(), "truncated to the microsecond")
	require.Equal(t, `{"a":[],"b":1}`, string(recs[2].Details), "details stored canonical")

	odd := []Record{sample(1)}
	odd[0].Entity.Name, odd[0].RequestID = "a\x00b", "c\x82d"
	_, err = Seal(EmptyHead(), odd)
	require.NoError(t, err)
	require.Equal(t, "a\uFFFDb", odd[0].Entity.Name, "no NUL: a text column refuses it")
	require.Equal(t, "c\uFFFDd", odd[0].RequestID, "valid UTF-8, as JSON and PostgreSQL keep it")

	more := []Record{sample(3)}
	head2, err := Seal(head, more)
	require.NoError(t, err)
	require.Equal(t, int64(4), head2.Seq)
	require.Equal(t, head.Hash, more[0].PrevHash)
}

func TestSealRefusesInvalidRecordsAndChangesNothing(t *testing.T) {
	for name, edit := range map[string]func(*Record){
		"no time":             func(r *Record) { r.Time = time.Time{} },
		"unknown actor":       func(r *Record) { r.Actor.Kind = "robot" },
		"no action":           func(r *Record) { r.Action = "" },
		"action with space":   func(r *Record) { r.Action = "server update" },
		"upper-case action":   func(r *Record) { r.Action = "Server.Update" },
		"action ending a dot": func(r *Record) { r.Action = "server." },
		"unknown outcome":     func(r *Record) { r.Outcome = "maybe" },
		"long entity name":    func(r *Record) { r.Entity.Name = strings.Repeat("x", maxFieldLen+1) },
		"details not JSON":    func(r *Record) { r.Details = json.RawMessage(`{"a"}`) },
		"details too large":   func(r *Record) { r.Details = json.RawMessage(`"` + strings.Repeat("x", maxDetailsLen) + `"`) },
	} {
		recs := []Record{sample(0), sample(1)}
		edit(&recs[1])
		before := append([]Record(nil), recs...)
		head, err := Seal(EmptyHead(), recs)
		require.Error(t, err, name)
		require.Equal(t, EmptyHead(), head, name)
		require.Equal(t, before, recs, name)
	}
	_, err := Seal(Head{Seq: 1, Hash: "x"}, []Record{sample(0)})
	require.Error(t, err, "bad head")
}

// fakeAppender is an in-memory chain with failures on demand.
type fakeAppender struct {
	recs      []Record
	lastErr   error
	appendErr error
	lasts     int // calls of Last: the locking reads
}

func (f *fakeAppender) Last(context.Context) (Head, error) {
	f.lasts++
	if f.lastErr != nil {
		return Head{}, f.lastErr
	}
	if len(f.recs) == 0 {
		return EmptyHead(), nil
	}
	r := f.recs[len(f.recs)-1]
	return Head{Seq: r.Seq, Hash: r.Hash}, nil
}

func (f *fakeAppender) Append(_ context.Context, recs []Record) error {
	if f.appendErr != nil {
		return f.appendErr
	}
	head := EmptyHead()
	if len(f.recs) > 0 {
		head = Head{Seq: f.recs[len(f.recs)-1].Seq, Hash: f.recs[len(f.recs)-1].Hash}
	}
	if recs[0].Seq != head.Seq+1 || recs[0].PrevHash != head.Hash {
		return ErrHeadMoved
	}
	f.recs = append(f.recs, recs...)
	return nil
}

func TestWrite(t *testing.T) {
	ctx := context.Background()
	a := &fakeAppender{}
	in := []Record{sample(0), sample(1)}
	require.NoError(t, Write(ctx, a, in...))
	require.NoError(t, Write(ctx, a, sample(2)))
	require.NoError(t, Write(ctx, a))
	require.Len(t, a.recs, 3)
	require.Zero(t, in[0].Seq, "the caller's records are not changed")
	rep, err := Verify(ctx, NewSlice(a.recs), VerifyOptions{})
	require.NoError(t, err)
	require.True(t, rep.OK(), "%+v", rep.Problem)

	boom := errors.New("boom")
	require.ErrorIs(t, Write(ctx, &fakeAppender{lastErr: boom}, sample(0)), boom)
	require.ErrorIs(t, Write(ctx, &fakeAppender{appendErr: boom}, sample(0)), boom)
	bad := sample(0)
	bad.Outcome = ""
	require.ErrorIs(t, Write(ctx, &fakeAppender{}, bad), ErrInvalid)
}

func TestWriteAt(t *testing.T) {
	ctx := context.Background()
	a := &fakeAppender{}
	head, err := WriteAt(ctx, a, Head{}, false, sample(0))
	require.NoError(t, err)
	require.Equal(t, 1, a.lasts, "no guess: the head is read")
	head, err = WriteAt(ctx, a, head, true, sample(1), sample(2))
	require.NoError(t, err)
	require.Equal(t, 1, a.lasts, "a right guess: no read")
	require.Equal(t, Head{Seq: 3, Hash: a.recs[2].Hash}, head)

	// Another writer appends: the guess is stale, nothing attaches to it.
	require.NoError(t, Write(ctx, a, sample(3)))
	lasts := a.lasts
	head, err = WriteAt(ctx, a, head, true, sample(4))
	require.NoError(t, err)
	require.Equal(t, lasts+1, a.lasts, "a wrong guess: the head is read with its lock")
	require.Equal(t, int64(5), head.Seq)
	// A guess of the right seq with another hash (a transaction that rolled
	// back after appending elsewhere) does not fork the chain either.
	_, err = WriteAt(ctx, a, Head{Seq: 5, Hash: GenesisHash}, true, sample(5))
	require.NoError(t, err)
	require.Len(t, a.recs, 6)
	rep, err := Verify(ctx, NewSlice(a.recs), VerifyOptions{})
	require.NoError(t, err)
	require.True(t, rep.OK(), "%+v", rep.Problem)

	boom := errors.New("boom")
	_, err = WriteAt(ctx, &fakeAppender{appendErr: boom}, head, true, sample(0))
	require.ErrorIs(t, err, boom)
	bad := sample(0)
	bad.Outcome = ""
	_, err = WriteAt(ctx, a, head, true, bad)
	require.ErrorIs(t, err, ErrInvalid)
}
