//go:build unix

package connlimit_test

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/internal/connlimit"
)

func TestFitFileLimit(t *testing.T) {
	var orig syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &orig))
	t.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &orig) })
	set := func(n uint64) {
		require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: n, Max: orig.Max}))
	}
	set(1000)
	fitted, limit, lowered := connlimit.FitFileLimit(1024)
	assert.Equal(t, 1000-connlimit.ReservedFiles, fitted)
	assert.Equal(t, uint64(1000), limit)
	assert.True(t, lowered)
	fitted, _, lowered = connlimit.FitFileLimit(500)
	assert.Equal(t, 500, fitted)
	assert.False(t, lowered)
	set(200)
	fitted, _, lowered = connlimit.FitFileLimit(1024)
	assert.Equal(t, 100, fitted, "a tiny limit is shared")
	assert.True(t, lowered)
}
