package trail

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/internal/actor"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
	"github.com/securemcp/gateway/services/entity"
)

// stalledStore holds every transaction until released, as a store too slow
// for a flood.
type stalledStore struct {
	repositories.Store
	release chan struct{}
}

func (s stalledStore) InTx(ctx context.Context, fn func(repositories.Repos) error) error {
	<-s.release
	return s.Store.InTx(ctx, fn)
}

// When the queue is full, refusals and the tool calls it turns away are
// counted in one aggregate record, exact, and the chain still verifies.
func TestAFullQueueIsAggregated(t *testing.T) {
	ctx := context.Background()
	release := make(chan struct{})
	store := stalledStore{Store: sqltest.NewSQLite(t), release: release}
	s := newAuditService(store, entity.SystemClock, audit.BatcherConfig{QueueSize: 4, MaxBatch: 1, MaxBlock: time.Millisecond})
	var mu sync.Mutex
	var logged []audit.Aggregate
	s.SetRefusalLimits(audit.GateConfig{Interval: 24 * time.Hour, Burst: 1000}, func(a audit.Aggregate) {
		mu.Lock()
		defer mu.Unlock()
		logged = append(logged, a)
	})

	lost := 0
	for range 20 {
		err := s.RecordToolCall(ctx, audit.Record{Actor: audit.Actor{Kind: audit.ActorGatewayKey, ID: "k1"}, Action: audit.ActionToolCall,
			Entity: audit.Entity{Kind: "tool", ID: "s/t"}, Outcome: audit.OutcomeSuccess})
		if errors.Is(err, audit.ErrQueueFull) {
			lost++
		} else {
			require.NoError(t, err)
		}
	}
	require.Greater(t, lost, 0, "the queue filled")
	const refusals = 500
	for range refusals {
		s.RecordRefusal(Refusal{Actor: actor.Actor{Addr: "192.0.2.1"}, Action: "user.create", Status: 401, Reason: "unauthorized"})
	}
	close(release)
	require.NoError(t, s.Close())

	recs, err := store.Audit().List(ctx, audit.Query{Limit: audit.MaxLimit})
	require.NoError(t, err)
	var single, aggregated int64
	for _, r := range recs {
		switch r.Action {
		case "user.create", audit.ActionToolCall:
			single++
		case audit.ActionRefusalsAggregated:
			var a audit.Aggregate
			require.NoError(t, json.Unmarshal(r.Details, &a))
			aggregated += a.Count
			assert.EqualValues(t, lost, a.ByAction[audit.ActionToolCall], "the tool calls turned away are counted")
		}
	}
	assert.EqualValues(t, 20+refusals, single+aggregated, "every record stored or counted")
	assert.LessOrEqual(t, len(recs), 20+2, "the flood of refusals costs one record")
	mu.Lock()
	assert.Len(t, logged, 1)
	mu.Unlock()
	rep, err := audit.Verify(ctx, audit.NewSlice(reverse(recs)), audit.VerifyOptions{})
	require.NoError(t, err)
	assert.True(t, rep.OK(), "%+v", rep.Problem)
}

func reverse(recs []audit.Record) []audit.Record {
	out := make([]audit.Record, len(recs))
	for i, r := range recs {
		out[len(recs)-1-i] = r
	}
	return out
}
