package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/repositories"
)

// auditRecord is a fixture record; i varies its time, actor and entity.
func auditRecord(i int) audit.Record {
	return audit.Record{
		Time:      at(i).Add(123 * time.Microsecond),
		Actor:     audit.Actor{Kind: []audit.ActorKind{audit.ActorRootKey, audit.ActorCLI, audit.ActorGatewayKey}[i%3], ID: fmt.Sprintf("actor-%d", i%2), Addr: "192.0.2.1"},
		Action:    []string{"user.create", "config.rename", audit.ActionToolCall}[i%3],
		Entity:    audit.Entity{Kind: "user", ID: fmt.Sprintf("id-%d", i%4), Name: "ünïcode \"name\""},
		Outcome:   []audit.Outcome{audit.OutcomeSuccess, audit.OutcomeRefused}[i%2],
		RequestID: fmt.Sprintf("req-%d", i),
		// Members out of order, numbers in several spellings, an escape:
		// what is stored must hash as what was sealed.
		Details: []byte(fmt.Sprintf(`{"z": 1.0E2, "a": [%d, "x\u00e9\n"], "m": {"b": null, "a": true}}`, i)),
	}
}

// appendRecords appends records in one transaction.
func appendRecords(t *testing.T, s repositories.Store, recs ...audit.Record) {
	t.Helper()
	require.NoError(t, s.InTx(ctx(), func(tx repositories.Repos) error { return audit.Write(ctx(), tx.Audit(), recs...) }))
}

// scanAll reads the whole chain batch by batch.
func scanAll(t *testing.T, r repositories.AuditRepository, batch int) []audit.Record {
	t.Helper()
	var out []audit.Record
	after := int64(0)
	for {
		recs, err := r.Scan(ctx(), after, batch)
		require.NoError(t, err)
		if len(recs) == 0 {
			return out
		}
		out = append(out, recs...)
		after = recs[len(recs)-1].Seq
	}
}

// verifyStore verifies the stored chain against the stored head.
func verifyStore(t *testing.T, s repositories.Store) audit.Report {
	t.Helper()
	head, err := s.Audit().Head(ctx())
	require.NoError(t, err)
	rep, err := audit.Verify(ctx(), audit.NewSlice(scanAll(t, s.Audit(), 7)), audit.VerifyOptions{Head: &head})
	require.NoError(t, err)
	return rep
}

func testAudit(t *testing.T, newStore Factory) {
	t.Run("EmptyChain", func(t *testing.T) {
		s := newStore(t)
		head, err := s.Audit().Head(ctx())
		require.NoError(t, err)
		assert.Equal(t, audit.EmptyHead(), head)
		first, last, err := s.Audit().Bounds(ctx())
		require.NoError(t, err)
		assert.Zero(t, first)
		assert.Zero(t, last)
		_, err = s.Audit().Get(ctx(), 1)
		assert.ErrorIs(t, err, repositories.ErrNotFound)
		_, err = s.Audit().FirstAtOrAfter(ctx(), at(0))
		assert.ErrorIs(t, err, repositories.ErrNotFound)
		assert.True(t, verifyStore(t, s).OK())
	})
	t.Run("RecordsReadBackAsSealedAndVerify", func(t *testing.T) {
		s := newStore(t)
		appendRecords(t, s, auditRecord(0), auditRecord(1))
		appendRecords(t, s, auditRecord(2))
		recs := scanAll(t, s.Audit(), 2)
		require.Len(t, recs, 3)
		for i, r := range recs {
			assert.Equal(t, int64(i+1), r.Seq)
			want, err := auditRecord(i).Normalize()
			require.NoError(t, err)
			assert.Equal(t, want.Time, r.Time)
			assert.Equal(t, want.Actor, r.Actor)
			assert.Equal(t, want.Entity, r.Entity)
			assert.JSONEq(t, string(want.Details), string(r.Details))
		}
		rep := verifyStore(t, s)
		require.True(t, rep.OK(), "%+v", rep.Problem)
		assert.Equal(t, int64(3), rep.Records)
		head, err := s.Audit().Head(ctx())
		require.NoError(t, err)
		assert.Equal(t, audit.Head{Seq: 3, Hash: recs[2].Hash}, head)
		got, err := s.Audit().Get(ctx(), 2)
		require.NoError(t, err)
		assert.Equal(t, recs[1], got)
		first, last, err := s.Audit().Bounds(ctx())
		require.NoError(t, err)
		assert.Equal(t, [2]int64{1, 3}, [2]int64{first, last})
	})
	t.Run("RolledBackAppendLeavesNoGap", func(t *testing.T) {
		s := newStore(t)
		appendRecords(t, s, auditRecord(0))
		boom := errors.New("boom")
		err := s.InTx(ctx(), func(tx repositories.Repos) error {
			require.NoError(t, audit.Write(ctx(), tx.Audit(), auditRecord(1)))
			return boom
		})
		require.ErrorIs(t, err, boom)
		appendRecords(t, s, auditRecord(2))
		recs := scanAll(t, s.Audit(), 10)
		require.Len(t, recs, 2)
		assert.Equal(t, int64(2), recs[1].Seq, "the rolled-back record took no number")
		assert.True(t, verifyStore(t, s).OK())
	})
	t.Run("AppendNotAtTheHeadFails", func(t *testing.T) {
		s := newStore(t)
		appendRecords(t, s, auditRecord(0))
		stale := []audit.Record{auditRecord(1)}
		_, err := audit.Seal(audit.EmptyHead(), stale) // attaches where record 1 already is
		require.NoError(t, err)
		err = s.InTx(ctx(), func(tx repositories.Repos) error { return tx.Audit().Append(ctx(), stale) })
		assert.Error(t, err, "a second record 1 must not fork the chain")
		assert.True(t, verifyStore(t, s).OK())
	})
	t.Run("ConcurrentWritersMakeOneChain", func(t *testing.T) {
		s := newStore(t)
		const writers, each = 8, 5
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := 0; w < writers; w++ {
			wg.Go(func() {
				for i := 0; i < each; i++ {
					errs <- s.InTx(ctx(), func(tx repositories.Repos) error {
						return audit.Write(ctx(), tx.Audit(), auditRecord(w*each+i))
					})
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		recs := scanAll(t, s.Audit(), 16)
		require.Len(t, recs, writers*each)
		rep := verifyStore(t, s)
		assert.True(t, rep.OK(), "%+v", rep.Problem)
	})
	t.Run("ListFiltersAndPages", func(t *testing.T) {
		s := newStore(t)
		var all []audit.Record
		for i := 0; i < 24; i++ {
			all = append(all, auditRecord(i))
		}
		appendRecords(t, s, all...)
		stored := scanAll(t, s.Audit(), 100)
		queries := []audit.Query{
			{},
			{ActorKind: audit.ActorCLI},
			{ActorID: "actor-1", Outcome: audit.OutcomeRefused},
			{Action: "user.create"},
			{EntityKind: "user", EntityID: "id-2"},
			{From: at(5), To: at(11)},
			{From: at(20)},
			{Action: "nothing.matches"},
		}
		for _, q := range queries {
			q.Limit = 5
			q, err := q.Normalize()
			require.NoError(t, err)
			var want []int64
			for i := len(stored) - 1; i >= 0; i-- {
				if q.Matches(stored[i]) {
					want = append(want, stored[i].Seq)
				}
			}
			var got []int64
			for q.Before = 0; ; {
				page, err := s.Audit().List(ctx(), q)
				require.NoError(t, err)
				assert.LessOrEqual(t, len(page), 5)
				for _, r := range page {
					got = append(got, r.Seq)
				}
				if len(page) < q.Limit {
					break
				}
				q.Before = page[len(page)-1].Seq
			}
			assert.Equal(t, want, got, "%+v", q)
		}
	})
	t.Run("PruneWithCheckpointStillVerifies", func(t *testing.T) {
		s := newStore(t)
		var all []audit.Record
		for i := 0; i < 10; i++ {
			all = append(all, auditRecord(i))
		}
		appendRecords(t, s, all...)
		first, err := s.Audit().FirstAtOrAfter(ctx(), at(4))
		require.NoError(t, err)
		assert.Equal(t, int64(5), first, "records 1 to 4 are older than at(4)+123µs… record 5 is at(4)+123µs")
		err = s.InTx(ctx(), func(tx repositories.Repos) error {
			head, err := tx.Audit().Last(ctx())
			if err != nil {
				return err
			}
			through := min(first-1, head.Seq-1)
			last, err := tx.Audit().Get(ctx(), through)
			if err != nil {
				return err
			}
			n, err := tx.Audit().DeleteThrough(ctx(), through)
			if err != nil {
				return err
			}
			cp, err := audit.NewCheckpoint(at(100), audit.Checkpoint{FirstSeq: 1, ThroughSeq: through, ThroughHash: last.Hash, Count: n, Cutoff: at(4)})
			if err != nil {
				return err
			}
			return audit.Write(ctx(), tx.Audit(), cp)
		})
		require.NoError(t, err)
		lo, hi, err := s.Audit().Bounds(ctx())
		require.NoError(t, err)
		assert.Equal(t, [2]int64{5, 11}, [2]int64{lo, hi})
		rep := verifyStore(t, s)
		require.True(t, rep.OK(), "%+v", rep.Problem)
		require.NotNil(t, rep.Pruned)
		assert.Equal(t, int64(4), rep.Pruned.ThroughSeq)
	})
}
