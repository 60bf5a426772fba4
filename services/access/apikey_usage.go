package access

import (
	"context"
	"sync"
	"time"
)

// LastUsedFlushInterval is how often the last use times of keys are written.
const LastUsedFlushInterval = time.Second

// usageRecorder collects the last use time of keys in memory and writes them in
// one batch per interval (and on close), so that verifying a key costs no
// write. Only last_used_at is deferred: nothing that decides whether a key
// verifies lives here.
type usageRecorder struct {
	flush func(ctx context.Context, batch map[string]time.Time) error
	every time.Duration

	mu      sync.Mutex
	pending map[string]time.Time
	started bool
	closed  bool
	stop    chan struct{}
	done    chan struct{}
}

func newUsageRecorder(every time.Duration, flush func(ctx context.Context, batch map[string]time.Time) error) *usageRecorder {
	return &usageRecorder{flush: flush, every: every, pending: map[string]time.Time{},
		stop: make(chan struct{}), done: make(chan struct{})}
}

// record notes a use; the flusher starts with the first one.
func (u *usageRecorder) record(id string, at time.Time) {
	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		return
	}
	if prev, ok := u.pending[id]; !ok || at.After(prev) {
		u.pending[id] = at
	}
	start := !u.started
	u.started = true
	u.mu.Unlock()
	if start {
		go u.loop()
	}
}

func (u *usageRecorder) loop() {
	defer close(u.done)
	ticker := time.NewTicker(u.every)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			_ = u.flushPending()
		case <-u.stop:
			return
		}
	}
}

// flushPending writes the pending batch; on failure the batch is kept (merged
// with newer uses) for the next attempt.
func (u *usageRecorder) flushPending() error {
	u.mu.Lock()
	batch := u.pending
	u.pending = map[string]time.Time{}
	u.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := u.flush(ctx, batch)
	if err != nil {
		u.mu.Lock()
		for id, at := range batch {
			if prev, ok := u.pending[id]; !ok || at.After(prev) {
				u.pending[id] = at
			}
		}
		u.mu.Unlock()
	}
	return err
}

// close stops the flusher and writes what is pending; later uses are not recorded.
func (u *usageRecorder) close() error {
	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		return nil
	}
	u.closed = true
	started := u.started
	u.mu.Unlock()
	if started {
		close(u.stop)
		<-u.done
	}
	return u.flushPending()
}
