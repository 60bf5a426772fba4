package sqlstore_test

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/repositories/sqlstore"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
)

// Every migration exists for both engines, under the same version and name.
func TestMigrationsExistForEveryDialect(t *testing.T) {
	t.Parallel()
	names := func(dir string) []string {
		entries, err := fs.ReadDir(os.DirFS("migrations"), dir)
		require.NoError(t, err)
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	sqlite, postgres := names("sqlite"), names("postgres")
	require.NotEmpty(t, sqlite)
	assert.Equal(t, sqlite, postgres)
}

// After migration both engines have the same tables, columns and indexes.
func TestSchemasMatchAcrossBackends(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gateway.db")
	s, err := sqlstore.OpenSQLite(ctx, path)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	lite, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	defer lite.Close()
	want := collect(t, lite, `SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name != 'goose_db_version'
		UNION ALL SELECT 'index ' || name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`)

	u := sqltest.NewPostgresURL(t)
	sqltest.OpenPostgresAt(t, u)
	pg, err := sql.Open("pgx", u)
	require.NoError(t, err)
	defer pg.Close()
	got := collect(t, pg, `SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name != 'goose_db_version'
		UNION ALL SELECT 'index ' || indexname FROM pg_indexes
		WHERE schemaname = current_schema() AND indexdef NOT LIKE 'CREATE UNIQUE INDEX%'`)
	assert.Equal(t, want, got)
}

func collect(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	slices.Sort(out)
	return out
}
