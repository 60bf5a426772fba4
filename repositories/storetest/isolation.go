package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

// testIsolation checks that InTx transactions behave as if run one after the
// other, which the services' check-then-act rules rely on.
func testIsolation(t *testing.T, newStore Factory) {
	// Write skew: each transaction writes its own row only if the other's row
	// is absent. Run one after the other, exactly one row is written; a backend
	// with weaker isolation (snapshot) would let both write.
	t.Run("CheckThenActIsSerializable", func(t *testing.T) {
		s := newStore(t)
		bothRead := newBarrier(2)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, pair := range [2][2]string{{"x", "y"}, {"y", "x"}} {
			wg.Go(func() {
				first := true
				errs[i] = s.InTx(ctx(), func(tx repositories.Repos) error {
					_, err := tx.Settings().Get(ctx(), pair[1])
					if first {
						// Let the other transaction read too, if the engine lets it
						// run concurrently; a retry does not wait.
						first = false
						bothRead.wait(500 * time.Millisecond)
					}
					if !errors.Is(err, repositories.ErrNotFound) {
						return err
					}
					return tx.Settings().Put(ctx(), models.Setting{Key: pair[0], Value: "true", UpdatedAt: at(1)})
				})
			})
		}
		wg.Wait()
		require.NoError(t, errs[0])
		require.NoError(t, errs[1])
		all, err := s.Settings().List(ctx())
		require.NoError(t, err)
		assert.Len(t, all, 1, "exactly one of x and y: %v", all)
	})
}

// barrier releases its waiters once n have arrived, or each after a timeout.
type barrier struct {
	mu      sync.Mutex
	arrived int
	n       int
	done    chan struct{}
}

func newBarrier(n int) *barrier { return &barrier{n: n, done: make(chan struct{})} }

func (b *barrier) wait(timeout time.Duration) {
	b.mu.Lock()
	b.arrived++
	if b.arrived == b.n {
		close(b.done)
	}
	b.mu.Unlock()
	select {
	case <-b.done:
	case <-time.After(timeout):
	}
}
