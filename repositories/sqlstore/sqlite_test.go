package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/sqlstore"
	"github.com/securemcp/gateway/repositories/storetest"
)

func newSQLite(t *testing.T) repositories.Store {
	t.Helper()
	s, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestSQLiteConformance(t *testing.T) {
	storetest.Run(t, newSQLite)
}
