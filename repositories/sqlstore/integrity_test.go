package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/sqlstore"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
)

// Dangling references need a database written with foreign keys off, which
// the repositories never do: each backend's own switch writes them here.
func TestIntegrityFindsDanglingReferences(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "gateway.db")
		s, err := sqlstore.OpenSQLite(context.Background(), path)
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(0)&_pragma=busy_timeout(5000)")
		require.NoError(t, err)
		t.Cleanup(func() { _ = raw.Close() })
		conn, err := raw.Conn(context.Background())
		require.NoError(t, err)
		t.Cleanup(func() { _ = conn.Close() })
		testDangling(t, s, conn, "?")
	})
	t.Run("postgres", func(t *testing.T) {
		u := sqltest.NewPostgresURL(t)
		s := sqltest.OpenPostgresAt(t, u)
		raw, err := sql.Open("pgx", u)
		require.NoError(t, err)
		t.Cleanup(func() { _ = raw.Close() })
		conn, err := raw.Conn(context.Background())
		require.NoError(t, err)
		t.Cleanup(func() { _ = conn.Close() })
		// Foreign keys are triggers, which a replica session does not fire.
		_, err = conn.ExecContext(context.Background(), `SET session_replication_role = replica`)
		require.NoError(t, err)
		testDangling(t, s, conn, "$")
	})
}

// testDangling writes one dangling reference of each kind through conn (whose
// placeholders are "?" or "$n") and checks that the store finds them all.
func testDangling(t *testing.T, s repositories.Store, conn *sql.Conn, placeholder string) {
	ctx := context.Background()
	now := time.Now().UTC()
	cfg := models.Config{ID: "00000000-0000-4000-8000-000000000001", Name: "cfg", CreatedAt: now, UpdatedAt: now}
	require.NoError(t, s.Configs().Create(ctx, cfg))
	p := models.Project{ID: "10000000-0000-4000-8000-000000000001", Name: "platform", ConfigID: cfg.ID, CreatedAt: now, UpdatedAt: now}
	require.NoError(t, s.Projects().Create(ctx, p))
	u := models.User{ID: "20000000-0000-4000-8000-000000000001", Email: "a@example.com", CreatedAt: now, UpdatedAt: now}
	require.NoError(t, s.Users().Create(ctx, u))
	const (
		noConfig  = "99999999-9999-4999-8999-000000000001"
		noProject = "99999999-9999-4999-8999-000000000002"
		noUser    = "99999999-9999-4999-8999-000000000003"
	)
	args := func(n int) string {
		marks := make([]string, n)
		for i := range marks {
			marks[i] = "?"
			if placeholder == "$" {
				marks[i] = fmt.Sprintf("$%d", i+1)
			}
		}
		return strings.Join(marks, ", ")
	}
	for _, w := range []struct {
		query string
		args  []any
	}{
		{`INSERT INTO servers (config_id, name, command, input_guardrails_policy, output_guardrails_policy, tool_guardrails_policy, created_at, updated_at) VALUES (` + args(8) + `)`,
			[]any{noConfig, "orphan", "npx", "{}", "{}", "{}", 1, 1}},
		{`UPDATE projects SET config_id = ` + args(1), []any{noConfig}},
		{`INSERT INTO memberships (project_id, user_id, created_at) VALUES (` + args(3) + `)`, []any{noProject, u.ID, 1}},
		{`INSERT INTO memberships (project_id, user_id, created_at) VALUES (` + args(3) + `)`, []any{p.ID, noUser, 2}},
		{`INSERT INTO api_keys (id, hash, last4, user_id, project_id, created_at) VALUES (` + args(6) + `)`,
			[]any{"k1", "h1", "0001", noUser, p.ID, 1}},
		{`INSERT INTO api_keys (id, hash, last4, user_id, project_id, created_at) VALUES (` + args(6) + `)`,
			[]any{"k2", "h2", "0002", u.ID, noProject, 2}},
	} {
		_, err := conn.ExecContext(ctx, w.query, w.args...)
		require.NoError(t, err, w.query)
	}
	f, err := s.Integrity().Findings(ctx, 10)
	require.NoError(t, err)
	assert.Equal(t, []models.DanglingReference{
		{Entity: "server", Keys: []string{noConfig, "orphan"}, Field: "mcp_config_id", Value: noConfig, Target: "configuration"},
		{Entity: "project", Keys: []string{"platform"}, Field: "mcp_config_id", Value: noConfig, Target: "configuration"},
		{Entity: "membership", Keys: []string{noProject, u.ID}, Field: "project_id", Value: noProject, Target: "project"},
		{Entity: "membership", Keys: []string{p.ID, noUser}, Field: "user_id", Value: noUser, Target: "user"},
		{Entity: "api_key", Keys: []string{"k1"}, Field: "user_id", Value: noUser, Target: "user"},
		{Entity: "api_key", Keys: []string{"k2"}, Field: "project_id", Value: noProject, Target: "project"},
	}, f.Dangling)
}
