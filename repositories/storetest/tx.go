package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/repositories"
)

func testTransactions(t *testing.T, newStore Factory) {
	t.Run("FailureRollsBackEveryWrite", func(t *testing.T) {
		s := newStore(t)
		boom := errors.New("boom")
		err := s.InTx(ctx(), func(tx repositories.Repos) error {
			require.NoError(t, tx.Configs().Create(ctx(), newConfig(1, "half")))
			require.NoError(t, tx.Servers().Create(ctx(), newConfig(1, "half").ID, newServer(1, "s")))
			return boom
		})
		assert.ErrorIs(t, err, boom)
		_, err = s.Configs().Resolve(ctx(), "half")
		assert.ErrorIs(t, err, repositories.ErrNotFound)
	})
	t.Run("ReadSnapshotIsConsistentAndNeverBlocksWriters", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Configs().Create(ctx(), newConfig(1, "before")))
		err := s.ReadSnapshot(ctx(), func(r repositories.Repos) error {
			n, err := r.Configs().Count(ctx())
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			// A writer commits while the snapshot is open: it is not blocked
			// (this would deadlock or time out otherwise), and the snapshot
			// does not see its write.
			require.NoError(t, s.InTx(ctx(), func(tx repositories.Repos) error {
				return tx.Configs().Create(ctx(), newConfig(2, "during"))
			}))
			n, err = r.Configs().Count(ctx())
			require.NoError(t, err)
			assert.Equal(t, 1, n, "the snapshot keeps its view")
			_, err = r.Configs().Resolve(ctx(), "during")
			assert.ErrorIs(t, err, repositories.ErrNotFound)
			assert.Error(t, r.Configs().Create(ctx(), newConfig(3, "inside")), "a snapshot is read-only")
			return nil
		})
		require.NoError(t, err)
		n, err := s.Configs().Count(ctx())
		require.NoError(t, err)
		assert.Equal(t, 2, n, "the write made during the snapshot is there, the one tried inside it is not")
	})
	t.Run("CommitIsVisible", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.InTx(ctx(), func(tx repositories.Repos) error {
			return tx.Configs().Create(ctx(), newConfig(1, "whole"))
		}))
		_, err := s.Configs().Resolve(ctx(), "whole")
		assert.NoError(t, err)
	})
	t.Run("ConcurrentCreatesAllPersist", func(t *testing.T) {
		s := newStore(t)
		const n = 50
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				errs <- s.InTx(ctx(), func(tx repositories.Repos) error {
					return tx.Configs().Create(ctx(), newConfig(i+1, fmt.Sprintf("c%d", i)))
				})
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		n2, err := s.Configs().Count(ctx())
		require.NoError(t, err)
		assert.Equal(t, n, n2)
	})
	t.Run("ConcurrentDuplicateNamesOneWins", func(t *testing.T) {
		s := newStore(t)
		const n = 20
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, conflicts := 0, 0
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				err := s.Configs().Create(ctx(), newConfig(i+1, "same"))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case errors.Is(err, repositories.ErrConflict):
					conflicts++
				default:
					t.Errorf("unexpected error: %v", err)
				}
			}(i)
		}
		wg.Wait()
		assert.Equal(t, 1, wins)
		assert.Equal(t, n-1, conflicts)
	})
}
