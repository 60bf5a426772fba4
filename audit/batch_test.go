package audit

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// sink is a FlushFunc recording its batches, failing on demand.
type sink struct {
	mu      sync.Mutex
	batches [][]Record
	fails   int           // fail this many flushes first
	gate    chan struct{} // when set, each flush waits for a receive
}

func (s *sink) flush(ctx context.Context, recs []Record) error {
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fails > 0 {
		s.fails--
		return errors.New("database unavailable")
	}
	s.batches = append(s.batches, append([]Record(nil), recs...))
	return nil
}

func (s *sink) stored() (sizes []int, ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.batches {
		sizes = append(sizes, len(b))
		for _, r := range b {
			ids = append(ids, r.RequestID)
		}
	}
	return sizes, ids
}

func rec(id string) Record { r := sample(0); r.RequestID = id; return r }

func TestBatcherFlushesByCountAndOnClose(t *testing.T) {
	defer goleak.VerifyNone(t)
	s := &sink{}
	b := NewBatcher(s.flush, BatcherConfig{MaxBatch: 10, MaxDelay: time.Hour})
	var want []string
	for i := range 25 {
		id := string(rune('a'+i%26)) + string(rune('0'+i/26))
		want = append(want, id)
		require.NoError(t, b.Add(context.Background(), rec(id)))
	}
	require.Eventually(t, func() bool { sizes, _ := s.stored(); return len(sizes) == 2 }, 5*time.Second, time.Millisecond)
	require.NoError(t, b.Close(context.Background()))
	sizes, ids := s.stored()
	require.Equal(t, []int{10, 10, 5}, sizes)
	require.Equal(t, want, ids, "stored in the order accepted")
	st := b.Stats()
	require.Equal(t, BatcherStats{Accepted: 25, Flushed: 25, Batches: 3}, st)
	require.ErrorIs(t, b.Add(context.Background(), rec("late")), ErrClosed)
	require.NoError(t, b.Close(context.Background()), "Close twice")
}

func TestBatcherFlushesAfterDelay(t *testing.T) {
	defer goleak.VerifyNone(t)
	s := &sink{}
	b := NewBatcher(s.flush, BatcherConfig{MaxBatch: 1000, MaxDelay: 5 * time.Millisecond})
	defer b.Close(context.Background())
	require.NoError(t, b.Add(context.Background(), rec("x")))
	require.NoError(t, b.Add(context.Background(), rec("y")))
	require.Eventually(t, func() bool { _, ids := s.stored(); return len(ids) == 2 }, 5*time.Second, time.Millisecond,
		"a partial batch is stored without waiting for more")
}

func TestBatcherRetriesFailedFlushes(t *testing.T) {
	defer goleak.VerifyNone(t)
	s := &sink{fails: 3}
	b := NewBatcher(s.flush, BatcherConfig{MaxBatch: 2, RetryDelay: time.Millisecond})
	for _, id := range []string{"a", "b", "c"} {
		require.NoError(t, b.Add(context.Background(), rec(id)))
	}
	require.NoError(t, b.Close(context.Background()))
	_, ids := s.stored()
	require.Equal(t, []string{"a", "b", "c"}, ids, "nothing lost to the failures")
	require.Equal(t, int64(3), b.Stats().FlushErrors)
	require.Zero(t, b.Stats().Pending)
}

// TestBatcherBackpressure: a full queue blocks Add for MaxBlock, then
// refuses the record and counts it; what was accepted is still stored.
func TestBatcherBackpressure(t *testing.T) {
	defer goleak.VerifyNone(t)
	s := &sink{gate: make(chan struct{})}
	b := NewBatcher(s.flush, BatcherConfig{MaxBatch: 1, QueueSize: 2, MaxBlock: 20 * time.Millisecond})
	ctx := context.Background()
	// One record held by the stuck flush, two in the queue.
	require.NoError(t, b.Add(ctx, rec("1")))
	require.Eventually(t, func() bool { return len(b.queue) == 0 }, 5*time.Second, time.Millisecond)
	require.NoError(t, b.Add(ctx, rec("2")))
	require.NoError(t, b.Add(ctx, rec("3")))

	require.ErrorIs(t, b.Add(ctx, rec("4")), ErrQueueFull)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, b.Add(cctx, rec("5")), context.Canceled)
	st := b.Stats()
	require.Equal(t, int64(3), st.Accepted)
	require.Equal(t, int64(2), st.Refused)
	require.Equal(t, int64(2), st.Blocked)
	require.Equal(t, int64(3), st.Pending)

	close(s.gate)
	require.NoError(t, b.Close(ctx))
	_, ids := s.stored()
	require.Equal(t, []string{"1", "2", "3"}, ids)
}

// TestBatcherBlockedAddProceeds: an Add blocked on a full queue goes
// through once a flush frees room.
func TestBatcherBlockedAddProceeds(t *testing.T) {
	defer goleak.VerifyNone(t)
	s := &sink{gate: make(chan struct{})}
	b := NewBatcher(s.flush, BatcherConfig{MaxBatch: 1, QueueSize: 2, MaxBlock: time.Minute})
	ctx := context.Background()
	require.NoError(t, b.Add(ctx, rec("1")))
	require.Eventually(t, func() bool { return len(b.queue) == 0 }, 5*time.Second, time.Millisecond)
	require.NoError(t, b.Add(ctx, rec("2")))
	require.NoError(t, b.Add(ctx, rec("3")))
	done := make(chan error)
	go func() { done <- b.Add(ctx, rec("4")) }()
	require.Eventually(t, func() bool { return b.Stats().Blocked == 1 }, 5*time.Second, time.Millisecond)
	s.gate <- struct{}{}
	require.NoError(t, <-done)
	close(s.gate)
	require.NoError(t, b.Close(ctx))
	_, ids := s.stored()
	require.Equal(t, []string{"1", "2", "3", "4"}, ids)
}

// TestBatcherCloseDeadline: when the store stays down past Close's
// deadline, Close says how many records were not stored.
func TestBatcherCloseDeadline(t *testing.T) {
	defer goleak.VerifyNone(t)
	s := &sink{fails: 1 << 30}
	b := NewBatcher(s.flush, BatcherConfig{RetryDelay: time.Millisecond})
	for _, id := range []string{"a", "b"} {
		require.NoError(t, b.Add(context.Background(), rec(id)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := b.Close(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, "2 records not stored")
	require.Equal(t, int64(2), b.Stats().Pending)
}

// TestBatcherConcurrentAdds: many writers and a Close racing them; every
// record accepted is stored exactly once (run with -race).
func TestBatcherConcurrentAdds(t *testing.T) {
	defer goleak.VerifyNone(t)
	s := &sink{}
	b := NewBatcher(s.flush, BatcherConfig{MaxBatch: 7, QueueSize: 16, MaxDelay: time.Millisecond, MaxBlock: time.Minute})
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := map[string]bool{}
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				id := string(rune('A'+g)) + string(rune(i))
				if err := b.Add(context.Background(), rec(id)); err == nil {
					mu.Lock()
					accepted[id] = true
					mu.Unlock()
				} else {
					assert.ErrorIs(t, err, ErrClosed)
				}
			}
		})
	}
	time.Sleep(time.Millisecond)
	require.NoError(t, b.Close(context.Background()))
	wg.Wait()
	_, ids := s.stored()
	require.Len(t, ids, len(accepted))
	for _, id := range ids {
		require.True(t, accepted[id], id)
		delete(accepted, id)
	}
	require.Empty(t, accepted)
}
