package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func refusalAt(at time.Time, addr string) Record {
	return Record{Time: at, Actor: Actor{Kind: ActorAnonymous, Addr: addr}, Action: "user.create", Outcome: OutcomeRefused}
}

func TestGateAdmitsABurstPerWindowAndCountsTheRest(t *testing.T) {
	g := NewGate(GateConfig{Interval: time.Minute, Burst: 3})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	admitted := 0
	for i := range 10 {
		if g.Admit(t0.Add(time.Duration(i)*time.Second), refusalAt(t0.Add(time.Duration(i)*time.Second), "192.0.2.1")) {
			admitted++
		}
	}
	assert.Equal(t, 3, admitted)
	assert.EqualValues(t, 7, g.Pending())
	assert.True(t, g.Admit(t0.Add(time.Minute), refusalAt(t0.Add(time.Minute), "192.0.2.2")), "a new window, a new burst")

	a, ok := g.Take()
	require.True(t, ok)
	assert.EqualValues(t, 7, a.Count)
	assert.Equal(t, t0.Add(3*time.Second), a.From)
	assert.Equal(t, t0.Add(9*time.Second), a.To)
	assert.Equal(t, map[string]int64{"user.create": 7}, a.ByAction)
	assert.Equal(t, map[string]int64{"refused": 7}, a.ByOutcome)
	assert.Equal(t, map[string]int64{"anonymous": 7}, a.ByActorKind)
	assert.Equal(t, map[string]int64{"192.0.2.1": 7}, a.ByAddr)
	_, ok = g.Take()
	assert.False(t, ok, "taken: nothing is pending")

	g.Restore(a)
	g.Count(refusalAt(t0, "192.0.2.9"))
	b, _ := g.Take()
	assert.EqualValues(t, 8, b.Count, "a restored aggregate is carried by the next one")
	assert.Equal(t, map[string]int64{"192.0.2.1": 7, "192.0.2.9": 1}, b.ByAddr)
}

func TestGateBoundsTheAddressesItNames(t *testing.T) {
	g := NewGate(GateConfig{Interval: time.Hour, Burst: 1})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1000 {
		g.Count(refusalAt(t0, fmt.Sprintf("10.0.%d.%d", i/256, i%256)))
	}
	a, _ := g.Take()
	assert.EqualValues(t, 1000, a.Count)
	assert.Len(t, a.ByAddr, maxAggregateAddrs)
	assert.EqualValues(t, 1000-maxAggregateAddrs, a.OtherAddrs)

	rec, err := NewAggregateRecord(t0, a)
	require.NoError(t, err)
	rec.Time = t0
	require.NoError(t, rec.Validate())
	assert.Less(t, len(rec.Details), 8<<10, "a flood from many addresses still makes a small record")
	var back Aggregate
	require.NoError(t, json.Unmarshal(rec.Details, &back))
	assert.EqualValues(t, 1000, back.Count)
}

func TestTryAddNeverWaits(t *testing.T) {
	block := make(chan struct{})
	b := NewBatcher(func(ctx context.Context, recs []Record) error { <-block; return nil }, BatcherConfig{QueueSize: 2, MaxBatch: 1})
	r := refusalAt(time.Now(), "")
	accepted := 0
	for range 10 {
		if b.TryAdd(r) {
			accepted++
		}
	}
	// One record is being flushed (blocked), two wait in the queue; the
	// flusher may not have taken the first one yet.
	assert.GreaterOrEqual(t, accepted, 2)
	assert.LessOrEqual(t, accepted, 3)
	assert.EqualValues(t, 10-accepted, b.Stats().Refused)
	close(block)
	require.NoError(t, b.Close(context.Background()))
	assert.False(t, b.TryAdd(r), "closed")
}
