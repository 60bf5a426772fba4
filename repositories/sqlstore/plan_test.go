package sqlstore

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/repositories"
)

// A batch of a user's keys is read in index order: sorting all the user's
// keys for every batch made a listing of 50,000 keys take ten times as long.
func TestKeyBatchesNeedNoSort(t *testing.T) {
	t.Parallel()
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "plan.db"))
	require.NoError(t, err)
	defer s.Close()
	for _, f := range []repositories.APIKeyFilter{{}, {UserID: "u"}, {UserID: "u", ProjectID: "p"}} {
		query, args := infoBatchQuery(f, 7, 0, 500)
		rows, err := s.reader.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
		require.NoError(t, err)
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
			plan = append(plan, detail)
		}
		require.NoError(t, rows.Err())
		assert.NotContains(t, strings.Join(plan, "\n"), "TEMP B-TREE", "%+v: %v", f, plan)
	}
}
