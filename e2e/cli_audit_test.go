package e2e

import (
	"database/sql"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCLIAuditTrail(t *testing.T) { onEachStore(t, testCLIAuditTrail) }

// testCLIAuditTrail records CLI writes, then tampers with the table in SQL
// as someone with database access could, and sees verify name the record.
func testCLIAuditTrail(t *testing.T, h *cliHome) {
	h.must(args("user create --email alice@example.com")...)
	h.must(args("config add --config-name tools")...)
	h.must(args("config add-server --config-name tools --server-name gh --server-command npx --env", `{"GITHUB_TOKEN":"ghp_secretsecretsecret1234"}`)...)
	h.must(args("user update --email alice@example.com --new-email bob@example.com")...)

	recs := h.must(args("audit list")...).([]any)
	require.Len(t, recs, 4)
	me, err := user.Current()
	require.NoError(t, err)
	newest := recs[0].(map[string]any)
	assert.Equal(t, "user.update", newest["action"])
	assert.Equal(t, map[string]any{"kind": "cli", "id": me.Username}, newest["actor"])
	assert.NotEmpty(t, newest["request_id"])
	server := recs[1].(map[string]any)
	assert.Equal(t, "config.add_server", server["action"])
	assert.Equal(t, "server", server["entity"].(map[string]any)["kind"])
	assert.NotContains(t, h.run(args("audit list")...).stdout, "ghp_secret", "env values are masked")

	ok := h.must(args("audit verify")...).(map[string]any)
	assert.EqualValues(t, 4, ok["records"])
	assert.Nil(t, ok["problem"])

	export := filepath.Join(h.workDir, "audit.jsonl")
	assert.EqualValues(t, 4, h.must("audit", "export", "--output-file", export).(map[string]any)["records"])

	db := h.openDB(t)
	defer db.Close()
	_, err = db.Exec(`UPDATE audit_records SET entity_name = 'mallory@example.com' WHERE seq = 2`)
	require.NoError(t, err)
	res := h.run(args("audit verify")...)
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, "record 2 (")
	assert.Contains(t, res.stderr, "was changed")
	assert.Contains(t, res.stdout, `"kind": "changed"`)

	_, err = db.Exec(`UPDATE audit_records SET entity_name = 'tools' WHERE seq = 2`)
	require.NoError(t, err)
	h.must(args("audit verify")...)
	_, err = db.Exec(`DELETE FROM audit_records WHERE seq = 3`)
	require.NoError(t, err)
	res = h.run(args("audit verify")...)
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, "record 3 missing")
}

func TestCLIRecordsRefusedWrites(t *testing.T) {
	t.Parallel()
	h := newCLIHome(t)
	h.must(args("user create --email alice@example.com")...)
	assert.Equal(t, 1, h.run(args("user create --email alice@example.com")...).code, "a conflict")
	assert.Equal(t, 1, h.run(args("config remove --config-name nowhere")...).code, "not found")
	assert.Equal(t, 1, h.run(args("config get --config-name nowhere")...).code, "a read: not recorded")

	recs := h.must(args("audit list --outcome refused")...).([]any)
	require.Len(t, recs, 2)
	missing, dup := recs[0].(map[string]any), recs[1].(map[string]any)
	me, err := user.Current()
	require.NoError(t, err)
	assert.Equal(t, "user.create", dup["action"])
	assert.Equal(t, map[string]any{"kind": "cli", "id": me.Username}, dup["actor"])
	assert.Equal(t, map[string]any{"kind": "user", "name": "alice@example.com"}, dup["entity"])
	assert.Equal(t, map[string]any{"reason": "conflict"}, dup["details"])
	assert.NotEmpty(t, dup["request_id"])
	assert.Equal(t, "config.remove", missing["action"])
	assert.Equal(t, map[string]any{"kind": "config", "name": "nowhere"}, missing["entity"])
	assert.Equal(t, map[string]any{"reason": "not_found"}, missing["details"])
	assert.Nil(t, h.must(args("audit verify")...).(map[string]any)["problem"])
}

// openDB opens the store's database directly.
func (h *cliHome) openDB(t *testing.T) *sql.DB {
	t.Helper()
	for _, e := range h.env {
		if url, ok := strings.CutPrefix(e, "SMG_DATABASE_URL="); ok {
			db, err := sql.Open("pgx", url)
			require.NoError(t, err)
			return db
		}
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(h.dataDir, "gateway.db"))
	require.NoError(t, err)
	return db
}
