package audit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// FlushFunc stores a batch of unsealed records: in the product, one store
// transaction calling Write. An error leaves the batch to be retried.
type FlushFunc func(ctx context.Context, recs []Record) error

// BatcherConfig tunes a Batcher; zero fields take the defaults.
type BatcherConfig struct {
	// MaxBatch flushes once this many records wait (default 256).
	MaxBatch int
	// MaxDelay flushes this long after the first record of a batch was
	// accepted, however few wait (default 100 ms).
	MaxDelay time.Duration
	// QueueSize bounds the records accepted but not yet flushed (default
	// 8192). Beyond it Add blocks.
	QueueSize int
	// MaxBlock bounds how long Add blocks on a full queue before refusing
	// the record with ErrQueueFull (default 1 s).
	MaxBlock time.Duration
	// RetryDelay is the first wait after a failed flush, doubled up to
	// 5 s (default 100 ms).
	RetryDelay time.Duration
}

func (c BatcherConfig) withDefaults() BatcherConfig {
	if c.MaxBatch <= 0 {
		c.MaxBatch = 256
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = 100 * time.Millisecond
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 8192
	}
	if c.MaxBlock <= 0 {
		c.MaxBlock = time.Second
	}
	if c.RetryDelay <= 0 {
		c.RetryDelay = 100 * time.Millisecond
	}
	return c
}

var (
	// ErrQueueFull is Add's answer when the queue stayed full for MaxBlock:
	// the record was not accepted, and the caller decides (the gateway
	// refuses the call rather than leave it unrecorded).
	ErrQueueFull = errors.New("audit: record queue full")
	// ErrClosed is Add's answer after Close began.
	ErrClosed = errors.New("audit: batcher closed")
)

// BatcherStats counts what a Batcher did, for metrics.
type BatcherStats struct {
	Accepted    int64 // records Add accepted
	Flushed     int64 // records stored
	Batches     int64 // successful flushes
	FlushErrors int64 // failed flushes (each retried)
	Blocked     int64 // Add calls that waited for room
	Refused     int64 // Add calls refused with ErrQueueFull, and TryAdd calls that found the queue full
	Pending     int64 // records accepted and not yet stored
}

// Batcher queues tool-call records and stores them in batches, off the
// call's path. Add accepts a record (the acknowledgement); every record
// accepted is stored by the time Close returns nil. A failed flush is
// retried, never dropped. When the queue is full Add blocks, up to
// MaxBlock, then refuses the record with ErrQueueFull, counted: records are
// never dropped silently. (A crash, unlike a clean shutdown, loses what is
// queued: at most QueueSize records and the batch being stored.)
type Batcher struct {
	cfg   BatcherConfig
	flush FlushFunc
	queue chan Record

	// mu orders Add and Close: Adds hold it shared while they send, Close
	// takes it exclusively to stop new ones before closing the queue.
	mu     sync.RWMutex
	closed bool

	stop context.CancelFunc // ends retries when Close's context expires
	ctx  context.Context
	done chan struct{}

	accepted, flushed, batches, flushErrors, blocked, refused atomic.Int64
}

// NewBatcher starts a Batcher storing through flush.
func NewBatcher(flush FlushFunc, cfg BatcherConfig) *Batcher {
	cfg = cfg.withDefaults()
	ctx, stop := context.WithCancel(context.Background())
	b := &Batcher{cfg: cfg, flush: flush, queue: make(chan Record, cfg.QueueSize),
		ctx: ctx, stop: stop, done: make(chan struct{})}
	go b.run()
	return b
}

// Add queues a record. It returns nil once the record is accepted;
// ErrQueueFull if the queue stayed full for MaxBlock; ErrClosed after
// Close; ctx's error if ctx ends while it waits.
func (b *Batcher) Add(ctx context.Context, r Record) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return ErrClosed
	}
	select {
	case b.queue <- r:
		b.accepted.Add(1)
		return nil
	default:
	}
	b.blocked.Add(1)
	timer := time.NewTimer(b.cfg.MaxBlock)
	defer timer.Stop()
	select {
	case b.queue <- r:
		b.accepted.Add(1)
		return nil
	case <-timer.C:
		b.refused.Add(1)
		return ErrQueueFull
	case <-ctx.Done():
		b.refused.Add(1)
		return ctx.Err()
	}
}

// TryAdd queues a record only if the queue has room now, without waiting:
// false when it is full or the batcher is closed (the caller counts the
// record instead, see Gate). A flood of refusals goes this way, so that it
// never makes a request wait.
func (b *Batcher) TryAdd(r Record) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return false
	}
	select {
	case b.queue <- r:
		b.accepted.Add(1)
		return true
	default:
		b.refused.Add(1)
		return false
	}
}

// Close stops accepting records and stores every record accepted. It
// returns nil when all are stored; if ctx ends first, retries stop and the
// error says how many records were not stored.
func (b *Batcher) Close(ctx context.Context) error {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.queue)
	}
	b.mu.Unlock()
	select {
	case <-b.done:
	case <-ctx.Done():
		b.stop()
		<-b.done
	}
	b.stop()
	if n := b.pending(); n > 0 {
		return fmt.Errorf("audit: %d records not stored: %w", n, ctx.Err())
	}
	return nil
}

// Stats returns the counters.
func (b *Batcher) Stats() BatcherStats {
	return BatcherStats{Accepted: b.accepted.Load(), Flushed: b.flushed.Load(), Batches: b.batches.Load(),
		FlushErrors: b.flushErrors.Load(), Blocked: b.blocked.Load(), Refused: b.refused.Load(), Pending: b.pending()}
}

func (b *Batcher) pending() int64 { return b.accepted.Load() - b.flushed.Load() }

// run collects records into batches and flushes them, until the queue is
// closed and drained or retries are stopped.
func (b *Batcher) run() {
	defer close(b.done)
	batch := make([]Record, 0, b.cfg.MaxBatch)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case r, ok := <-b.queue:
			if !ok {
				b.store(batch)
				return
			}
			if len(batch) == 0 {
				timer.Reset(b.cfg.MaxDelay)
			}
			batch = append(batch, r)
			if len(batch) < b.cfg.MaxBatch {
				continue
			}
		case <-timer.C:
		}
		timer.Stop()
		if !b.store(batch) {
			return
		}
		batch = batch[:0]
	}
}

// store flushes one batch, retrying with backoff until it succeeds or
// retries are stopped (then it reports false).
func (b *Batcher) store(batch []Record) bool {
	if len(batch) == 0 {
		return true
	}
	delay := b.cfg.RetryDelay
	for {
		err := b.flush(b.ctx, batch)
		if err == nil {
			b.flushed.Add(int64(len(batch)))
			b.batches.Add(1)
			return true
		}
		b.flushErrors.Add(1)
		select {
		case <-time.After(delay):
			delay = min(2*delay, 5*time.Second)
		case <-b.ctx.Done():
			return false
		}
	}
}
