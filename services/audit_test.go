package services_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
)

func newAuditCore(t *testing.T, b sqltest.Backend) (*services.Services, *fakeClock) {
	t.Helper()
	files, err := confine.NewDataDir(filepath.Join(t.TempDir(), "data"))
	require.NoError(t, err)
	clock := newFakeClock()
	svc := services.New(b.Open(t), files, clock.Now, sealing.NewEphemeralSealer())
	t.Cleanup(func() { _ = svc.Close() })
	return svc, clock
}

func TestAuditRetentionKeepsTheChainVerifiable(t *testing.T) {
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			svc, clock := newAuditCore(t, b)
			ctx := context.Background()
			for i := 0; i < 5; i++ {
				_, err := svc.Users.Create(ctx, fmt.Sprintf("old%d@example.com", i))
				require.NoError(t, err)
			}
			clock.Advance(40 * 24 * time.Hour)
			for i := 0; i < 3; i++ {
				_, err := svc.Users.Create(ctx, fmt.Sprintf("new%d@example.com", i))
				require.NoError(t, err)
			}
			_, err := svc.Audit.Prune(ctx, 0)
			assert.Equal(t, errs.KindInvalid, errs.KindOf(err))

			res, err := svc.Audit.Prune(ctx, 30*24*time.Hour)
			require.NoError(t, err)
			require.NotNil(t, res.Checkpoint)
			assert.Equal(t, int64(1), res.Checkpoint.FirstSeq)
			assert.Equal(t, int64(5), res.Checkpoint.ThroughSeq)
			rep, err := svc.Audit.Verify(ctx)
			require.NoError(t, err)
			require.True(t, rep.OK(), "%+v", rep.Problem)
			require.NotNil(t, rep.Pruned)
			assert.Equal(t, int64(5), rep.Pruned.ThroughSeq)
			assert.Equal(t, int64(4), rep.Records, "three writes kept and the checkpoint")

			again, err := svc.Audit.Prune(ctx, 30*24*time.Hour)
			require.NoError(t, err)
			assert.Nil(t, again.Checkpoint, "nothing old enough is left")

			// Everything old: the head record stays for the next to attach to.
			clock.Advance(400 * 24 * time.Hour)
			res, err = svc.Audit.Prune(ctx, 30*24*time.Hour)
			require.NoError(t, err)
			require.NotNil(t, res.Checkpoint)
			assert.Equal(t, int64(8), res.Checkpoint.ThroughSeq, "the first checkpoint, the head, is kept")
			rep, err = svc.Audit.Verify(ctx)
			require.NoError(t, err)
			assert.True(t, rep.OK(), "%+v", rep.Problem)
		})
	}
}

func TestAuditExportVerifiesOnItsOwn(t *testing.T) {
	svc, _ := newAuditCore(t, sqltest.Backends()[0])
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		_, err := svc.Users.Create(ctx, fmt.Sprintf("u%d@example.com", i))
		require.NoError(t, err)
	}
	var buf bytes.Buffer
	n, err := svc.Audit.Export(ctx, &buf, audit.Query{})
	require.NoError(t, err)
	assert.Equal(t, int64(3), n)
	rep, err := audit.Verify(ctx, audit.NewJSONLReader(&buf), audit.VerifyOptions{})
	require.NoError(t, err)
	assert.True(t, rep.OK())
	assert.Equal(t, int64(3), rep.Records)

	buf.Reset()
	_, err = svc.Audit.Export(ctx, &buf, audit.Query{Outcome: "maybe"})
	assert.Equal(t, errs.KindInvalid, errs.KindOf(err))
}

func TestToolCallRecordsAcceptedAreStoredByClose(t *testing.T) {
	files, err := confine.NewDataDir(filepath.Join(t.TempDir(), "data"))
	require.NoError(t, err)
	store := sqltest.NewSQLite(t)
	svc := services.New(store, files, entity.SystemClock, sealing.NewEphemeralSealer())
	ctx := context.Background()
	const n = 500
	for i := 0; i < n; i++ {
		require.NoError(t, svc.Audit.RecordToolCall(ctx, audit.Record{Actor: audit.Actor{Kind: audit.ActorGatewayKey, ID: "k"},
			Action: audit.ActionToolCall, Entity: audit.Entity{Kind: "tool", ID: fmt.Sprintf("s/t%d", i)}, Outcome: audit.OutcomeSuccess}))
	}
	assert.Error(t, svc.Audit.RecordToolCall(ctx, audit.Record{Action: "NOT VALID"}), "an invalid record is refused at once")
	require.NoError(t, svc.Close())
	first, last, err := store.Audit().Bounds(ctx)
	require.NoError(t, err)
	assert.Equal(t, [2]int64{1, n}, [2]int64{first, last}, "every accepted record is stored, in one chain")
	assert.ErrorIs(t, svc.Audit.RecordToolCall(ctx, audit.Record{Actor: audit.Actor{Kind: audit.ActorSystem}, Action: "tool.call",
		Outcome: audit.OutcomeSuccess}), audit.ErrClosed)
}
