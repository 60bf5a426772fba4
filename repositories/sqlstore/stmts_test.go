package sqlstore

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/repositories"
)

// TestPrincipalStatementIsPreparedOnce: the key verification's query, run on
// every gateway request, is compiled once and reused, not per call.
func TestPrincipalStatementIsPreparedOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "gateway.db"))
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	for range 5 {
		_, err := s.APIKeys().GetPrincipal(ctx, "no-such-hash")
		require.ErrorIs(t, err, repositories.ErrNotFound)
	}
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	assert.Len(t, s.stmts.m, 1)
	assert.Contains(t, s.stmts.m, principalQuery)
}
