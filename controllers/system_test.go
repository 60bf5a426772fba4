package controllers_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/controllers"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
)

// seedSystem gives the store a bit of everything through the API and, for the
// entities without routes here, through the repositories.
func (h *harness) seedSystem() {
	h.t.Helper()
	ctx := context.Background()
	configID := h.seedConfig("engineering", "github", "slack")
	now := time.Now().UTC()
	p := models.Project{ID: "5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11", Name: "platform", ConfigID: configID, CreatedAt: now, UpdatedAt: now}
	require.NoError(h.t, h.store.Projects().Create(ctx, p))
	u := models.User{ID: "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a", Email: "alice@example.com", CreatedAt: now, UpdatedAt: now}
	require.NoError(h.t, h.store.Users().Create(ctx, u))
	require.NoError(h.t, h.store.Memberships().Add(ctx, models.Membership{ProjectID: p.ID, UserID: u.ID, CreatedAt: now}))
	sum := sha256.Sum256([]byte("a-user-key-secret"))
	require.NoError(h.t, h.store.APIKeys().Create(ctx, models.APIKey{ID: "40000000-0000-4000-8000-000000000001",
		Hash: hex.EncodeToString(sum[:]), Last4: "cret", UserID: u.ID, ProjectID: p.ID, CreatedAt: now, Disabled: true}))
	h.must(http.StatusOK, h.do("PUT", "/api/v1/settings/enkrypt-api-key", map[string]string{"api_key": providerKey}))
}

func TestSystemHealth(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	res := h.must(http.StatusOK, h.do("GET", "/api/v1/system/health", nil))
	d := res.data()
	assert.Equal(t, "healthy", d["status"])
	assert.Equal(t, []any{}, d["issues"])
	assert.Equal(t, []any{}, d["warnings"])
	assert.Equal(t, false, d["integrity_checked"], "counts only, unless asked")
	assert.Equal(t, "sqlite", d["store"])
	assert.Equal(t, "test", d["version"])
	assert.Regexp(t, `^(\d+h)?(\d+m)?\d+s$`, d["uptime"])
	assert.Equal(t, map[string]any{"total_projects": 0.0, "total_users": 0.0, "total_configs": 0.0, "total_api_keys": 0.0, "disabled_api_keys": 0.0}, d["statistics"])

	h.seedSystem()
	d = h.must(http.StatusOK, h.do("GET", "/api/v1/system/health", nil)).data()
	assert.Equal(t, "healthy", d["status"])
	assert.Equal(t, map[string]any{"total_projects": 1.0, "total_users": 1.0, "total_configs": 1.0, "total_api_keys": 1.0, "disabled_api_keys": 1.0}, d["statistics"])

	// E-mails differing only in case can only come from a raw insert (the
	// service lowercases); foreign keys make dangling references impossible
	// here (the service tests write one with foreign keys off).
	now := time.Now()
	require.NoError(t, h.store.Users().Create(context.Background(), models.User{ID: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", Email: "ALICE@example.com", CreatedAt: now, UpdatedAt: now}))
	res = h.must(http.StatusOK, h.do("GET", "/api/v1/system/health", nil))
	assert.Equal(t, "healthy", res.data()["status"], "nobody looked")
	assert.Equal(t, false, res.data()["integrity_checked"])
	res = h.must(http.StatusOK, h.do("GET", "/api/v1/system/health?integrity=true", nil))
	assert.Equal(t, true, res.data()["integrity_checked"])
	assert.Equal(t, "unhealthy", res.data()["status"])
	assert.Equal(t, "System has integrity issues", res.Body["message"])
	issues := strings.Join(toStrings(res.data()["issues"]), "\n")
	assert.Contains(t, issues, "another user has the same email")
}

func TestSystemHealthBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, q := range []string{"?integrity=yes-please", "?integrity="} {
		assertError(t, h.do("GET", "/api/v1/system/health"+q, nil), http.StatusBadRequest, "invalid", "integrity must be true or false")
	}
	assert.Equal(t, false, h.must(http.StatusOK, h.do("GET", "/api/v1/system/health?integrity=false", nil)).data()["integrity_checked"])
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

// downStore is a store whose database cannot be reached.
type downStore struct{ repositories.Store }

func (downStore) Ping(context.Context) error { return sql.ErrConnDone }

func TestSystemHealth503WhenTheStoreIsDown(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, func(s repositories.Store) repositories.Store { return downStore{s} }, func(d *controllers.Deps) {
		d.StartedAt = time.Now().Add(-90 * time.Minute)
	})
	res := h.do("GET", "/api/v1/system/health", nil)
	assertError(t, res, http.StatusServiceUnavailable, "unavailable_error")
	assert.NotContains(t, string(res.Raw), sql.ErrConnDone.Error(), "no internals in 5xx bodies")
}

func TestSystemHealthUptimeFromStartTime(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, nil, func(d *controllers.Deps) { d.StartedAt = time.Now().Add(-90 * time.Minute) })
	d := h.must(http.StatusOK, h.do("GET", "/api/v1/system/health", nil)).data()
	assert.Equal(t, "1h30m0s", d["uptime"])
	assert.EqualValues(t, 5400, d["uptime_seconds"])
}

func TestSystemBackupAndRestore(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedSystem()
	res := h.must(http.StatusOK, h.do("POST", "/api/v1/system/backup", `{"output_file": "backups/one.json"}`))
	d := res.data()
	assert.Equal(t, "Backup written successfully", res.Body["message"])
	assert.Equal(t, "backups/one.json", d["file"])
	assert.Equal(t, filepath.Join(h.dataDir, "backups", "one.json"), d["path"])
	assert.Equal(t, models.BackupFormat, d["format"])
	assert.Equal(t, map[string]any{"configs": 1.0, "servers": 2.0, "projects": 1.0, "users": 1.0, "memberships": 1.0, "api_keys": 1.0, "settings": 1.0}, d["counts"])
	data, err := os.ReadFile(filepath.Join(h.dataDir, "backups", "one.json"))
	require.NoError(t, err)
	sum := sha256.Sum256(data)
	assert.Equal(t, hex.EncodeToString(sum[:]), d["sha256"])
	assert.EqualValues(t, len(data), d["size"], "size as the contract names it")
	assert.EqualValues(t, len(data), d["bytes"])
	info, err := os.Stat(filepath.Join(h.dataDir, "backups", "one.json"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	assert.NotContains(t, string(data), "a-user-key-secret")

	// Change, then restore through each field name.
	h.seedConfig("added-later")
	h.must(http.StatusOK, h.do("DELETE", "/api/v1/configs/added-later", nil))
	h.seedConfig("added-later-too")
	for _, body := range []string{`{"input_file": "backups/one.json"}`, `{"backup_file": "backups/one.json"}`, `{"input_file": "backups/one.json", "backup_file": "backups/one.json"}`} {
		r := h.must(http.StatusOK, h.do("POST", "/api/v1/system/restore", body))
		assert.Equal(t, "State restored successfully", r.Body["message"])
		assert.Equal(t, models.BackupFormat, r.data()["source_format"])
		assert.Equal(t, d["sha256"], r.data()["sha256"])
		assert.Equal(t, d["counts"], r.data()["counts"])
		names := []string{}
		for _, c := range h.must(http.StatusOK, h.do("GET", "/api/v1/configs", nil)).list() {
			names = append(names, c["mcp_config_name"].(string))
		}
		assert.Equal(t, []string{"engineering"}, names)
	}
}

// TestSystemBackupSecrets backs up sealed by default, in clear on request
// (and says so), and refuses to restore values sealed under another key.
func TestSystemBackupSecrets(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	const token = "ghp_backup0123456789abcdefghijklmnopqrs"
	h.must(http.StatusCreated, h.do("POST", "/api/v1/configs", map[string]string{"config_name": "cfg"}))
	h.must(http.StatusCreated, h.do("POST", "/api/v1/configs/cfg/servers", map[string]any{
		"server_name": "gh", "server_command": "npx", "env": map[string]string{"GITHUB_TOKEN": token}}))

	sealed := h.must(http.StatusOK, h.do("POST", "/api/v1/system/backup", `{"output_file": "sealed.json"}`))
	assert.Equal(t, false, sealed.data()["secrets_included"])
	assert.NotContains(t, sealed.data(), "warning")
	data, err := os.ReadFile(filepath.Join(h.dataDir, "sealed.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(data), token)
	assert.Contains(t, string(data), `"GITHUB_TOKEN": "smgsealed:v1:`)

	clear := h.must(http.StatusOK, h.do("POST", "/api/v1/system/backup", `{"output_file": "clear.json", "include_secrets": true}`))
	assert.Equal(t, true, clear.data()["secrets_included"])
	assert.Equal(t, models.BackupSecretsWarning, clear.data()["warning"])
	assert.NotContains(t, string(clear.Raw), token, "the answer itself holds no secret")
	data, err = os.ReadFile(filepath.Join(h.dataDir, "clear.json"))
	require.NoError(t, err)
	assert.Contains(t, string(data), `"GITHUB_TOKEN": "`+token+`"`)
	info, err := os.Stat(filepath.Join(h.dataDir, "clear.json"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	// A value sealed under a key this store does not have: 400, nothing changes.
	foreign := strings.Replace(string(data), token, "smgsealed:v1:0123456789ab:"+strings.Repeat("A", 60), 1)
	require.NoError(t, os.WriteFile(filepath.Join(h.dataDir, "foreign.json"), []byte(foreign), 0o600))
	h.must(http.StatusOK, h.do("PUT", "/api/v1/configs/cfg/servers/gh", `{"description": "after the backup"}`))
	assertError(t, h.do("POST", "/api/v1/system/restore", `{"input_file": "foreign.json"}`), 400, "invalid",
		`server "gh" env`, "0123456789ab", "sealed with another secret key")
	got := h.must(http.StatusOK, h.do("GET", "/api/v1/configs/cfg/servers/gh", nil))
	assert.Equal(t, "after the backup", got.data()["description"], "the refused restore changed nothing")

	h.must(http.StatusOK, h.do("POST", "/api/v1/system/restore", `{"input_file": "sealed.json"}`))
	got = h.must(http.StatusOK, h.do("GET", "/api/v1/configs/cfg/servers/gh", nil))
	assert.Equal(t, "ghp_…pqrs", got.data()["config"].(map[string]any)["env"].(map[string]any)["GITHUB_TOKEN"], "the same key restores")
}

func TestSystemBackupBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cases := []struct {
		name, body string
		status     int
		category   string
		detail     string
	}{
		{"malformed JSON", `{"output_file": `, 400, "invalid", "malformed JSON"},
		{"wrong type", `{"output_file": ["a"]}`, 400, "invalid", "field output_file must be of type string"},
		{"not an object", `[1]`, 400, "invalid", "object"},
		{"missing", `{}`, 400, "invalid", "output_file is required"},
		{"parent escape", `{"output_file": "../outside.json"}`, 400, "invalid", "inside the data directory"},
		{"nested escape", `{"output_file": "a/../../outside.json"}`, 400, "invalid", "inside the data directory"},
		{"absolute path", `{"output_file": "/etc/cron.d/x"}`, 400, "invalid", "inside the data directory"},
		{"huge body", `{"output_file": "` + strings.Repeat("x", 2<<20) + `"}`, 413, "payload_too_large", "limit"},
		{"include_secrets not a boolean", `{"output_file": "b.json", "include_secrets": "yes"}`, 400, "invalid", "include_secrets"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertError(t, h.do("POST", "/api/v1/system/backup", tc.body), tc.status, tc.category, tc.detail)
		})
	}
	_, err := os.Stat(filepath.Join(filepath.Dir(h.dataDir), "outside.json"))
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing was written outside")
}

func TestSystemRestoreBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedSystem()
	h.must(http.StatusOK, h.do("POST", "/api/v1/system/backup", `{"output_file": "good.json"}`))
	good, err := os.ReadFile(filepath.Join(h.dataDir, "good.json"))
	require.NoError(t, err)
	write := func(name string, data []byte) {
		require.NoError(t, os.WriteFile(filepath.Join(h.dataDir, name), data, 0o600))
	}
	write("truncated.json", good[:len(good)/3])
	var doc map[string]any
	require.NoError(t, json.Unmarshal(good, &doc))
	users := doc["users"].([]any)
	users = append(users, map[string]any{"user_id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "email": "Alice@Example.com",
		"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"})
	doc["users"] = users
	doc["projects"].([]any)[0].(map[string]any)["mcp_config_id"] = "99999999-9999-4999-8999-999999999999"
	hostile, err := json.Marshal(doc)
	require.NoError(t, err)
	write("hostile.json", hostile)
	mutated := func(change func(doc map[string]any)) []byte {
		var doc map[string]any
		require.NoError(t, json.Unmarshal(good, &doc))
		change(doc)
		out, err := json.Marshal(doc)
		require.NoError(t, err)
		return out
	}
	write("damaged.json", mutated(func(doc map[string]any) {
		doc["configs"].([]any)[0].(map[string]any)["servers"] = nil
		delete(doc, "settings")
	}))
	write("earlier-names.json", mutated(func(doc map[string]any) {
		cfg := doc["configs"].([]any)[0].(map[string]any)
		cfg["mcp_config_name"] = "7d444840-9dc0-11d1-b245-5ffdce74fad2"
		cfg["servers"].([]any)[0].(map[string]any)["server_name"] = ".."
	}))
	write("bad-time.json", mutated(func(doc map[string]any) { doc["users"].([]any)[0].(map[string]any)["created_at"] = "yesterday" }))
	write("number-time.json", mutated(func(doc map[string]any) { doc["users"].([]any)[0].(map[string]any)["created_at"] = 5 }))
	before := h.must(http.StatusOK, h.do("GET", "/api/v1/system/health", nil)).data()["statistics"]

	cases := []struct {
		name, body string
		status     int
		category   string
		detail     []string
	}{
		{"malformed JSON", `{"input_file": `, 400, "invalid", []string{"malformed JSON"}},
		{"wrong type", `{"input_file": true}`, 400, "invalid", []string{"field input_file must be of type string"}},
		{"alias wrong type", `{"backup_file": 1}`, 400, "invalid", []string{"field backup_file must be of type string"}},
		{"missing", `{}`, 400, "invalid", []string{"input_file or backup_file is required"}},
		{"both, different", `{"input_file": "a.json", "backup_file": "b.json"}`, 400, "invalid", []string{"either input_file or backup_file"}},
		{"input_file escape", `{"input_file": "../gateway.db"}`, 400, "invalid", []string{"input_file", "inside the data directory"}},
		{"backup_file escape", `{"backup_file": "../../etc/passwd"}`, 400, "invalid", []string{"backup_file", "inside the data directory"}},
		{"absolute", `{"input_file": "/etc/passwd"}`, 400, "invalid", []string{"inside the data directory"}},
		{"missing file", `{"backup_file": "nope.json"}`, 404, "not_found", []string{"backup_file", "nope.json"}},
		{"name too long", `{"input_file": "` + strings.Repeat("n", 300) + `"}`, 400, "invalid", []string{"input_file", "too long for the file system"}},
		{"through a file", `{"input_file": "truncated.json/x.json"}`, 400, "invalid", []string{"input_file", "passes through a file"}},
		{"truncated", `{"input_file": "truncated.json"}`, 400, "invalid", []string{"not a valid JSON document"}},
		{"hostile", `{"input_file": "hostile.json"}`, 400, "invalid", []string{"refers to no configuration", "same email"}},
		{"lists missing or null", `{"input_file": "damaged.json"}`, 400, "invalid", []string{"settings is missing or null", "servers is missing or null"}},
		{"time not RFC 3339", `{"input_file": "bad-time.json"}`, 400, "invalid", []string{"a time must be an RFC 3339 string", `not "yesterday"`}},
		{"time not a string", `{"input_file": "number-time.json"}`, 400, "invalid", []string{"a time must be an RFC 3339 string"}},
		{"huge body", `{"input_file": "` + strings.Repeat("x", 2<<20) + `"}`, 413, "payload_too_large", []string{"limit"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := h.do("POST", "/api/v1/system/restore", tc.body)
			assertError(t, res, tc.status, tc.category, tc.detail...)
		})
	}
	t.Run("every issue is listed", func(t *testing.T) {
		res := h.do("POST", "/api/v1/system/restore", `{"input_file": "hostile.json"}`)
		issues := toStrings(res.Body["issues"])
		assert.Len(t, issues, 2)
	})
	after := h.must(http.StatusOK, h.do("GET", "/api/v1/system/health", nil)).data()["statistics"]
	assert.Equal(t, before, after, "refused restores change nothing")

	// Names that an earlier version allowed, and new names may not take, are
	// restored as they are: a backup always restores.
	h.must(http.StatusOK, h.do("POST", "/api/v1/system/restore", `{"input_file": "earlier-names.json"}`))
	cfg := h.must(http.StatusOK, h.do("GET", "/api/v1/configs/7d444840-9dc0-11d1-b245-5ffdce74fad2", nil)).data()
	assert.Equal(t, "..", cfg["servers"].([]any)[0].(map[string]any)["server_name"])
}

func TestSystemRestoreOfTheOriginalConfigFile(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	data, err := os.ReadFile("../testdata/enkrypt_mcp_config.json")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(h.dataDir, "enkrypt_mcp_config.json"), data, 0o600))
	res := h.must(http.StatusOK, h.do("POST", "/api/v1/system/restore", `{"input_file": "enkrypt_mcp_config.json"}`))
	assert.Equal(t, "enkrypt-config", res.data()["source_format"])
	assert.Equal(t, map[string]any{"configs": 2.0, "servers": 3.0, "projects": 2.0, "users": 3.0, "memberships": 4.0, "api_keys": 4.0, "settings": 4.0}, res.data()["counts"])
	var file struct {
		AdminKey string                    `json:"admin_apikey"`
		APIKeys  map[string]map[string]any `json:"apikeys"`
	}
	require.NoError(t, json.Unmarshal(data, &file))
	assert.NotContains(t, string(res.Raw), file.AdminKey)
	for secret := range file.APIKeys {
		assert.NotContains(t, string(res.Raw), secret)
	}
	names := []string{}
	for _, c := range h.must(http.StatusOK, h.do("GET", "/api/v1/configs", nil)).list() {
		names = append(names, c["mcp_config_name"].(string))
	}
	assert.Equal(t, []string{"engineering", "support"}, names, "file order is creation order")
}

func TestSystemReset(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedSystem()
	cases := []struct {
		name, body string
		status     int
		category   string
		detail     string
	}{
		{"no body", ``, 400, "invalid", "confirm must be true"},
		{"missing confirm", `{}`, 400, "invalid", "confirm must be true"},
		{"confirm false", `{"confirm": false}`, 400, "invalid", "confirm must be true"},
		{"confirm as a string", `{"confirm": "true"}`, 400, "invalid", "field confirm must be of type boolean"},
		{"malformed JSON", `{"confirm": tr`, 400, "invalid", "malformed JSON"},
		{"huge body", `{"confirm": true, "pad": "` + strings.Repeat("x", 2<<20) + `"}`, 413, "payload_too_large", "limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertError(t, h.do("POST", "/api/v1/system/reset", tc.body), tc.status, tc.category, tc.detail)
		})
	}
	require.Len(t, h.must(http.StatusOK, h.do("GET", "/api/v1/configs", nil)).list(), 1, "refused resets change nothing")

	res := h.must(http.StatusOK, h.do("POST", "/api/v1/system/reset", `{"confirm": true}`))
	assert.Equal(t, map[string]any{"configs": 1.0, "servers": 2.0, "projects": 1.0, "users": 1.0, "memberships": 1.0, "api_keys": 1.0, "settings": 1.0}, res.data()["deleted"])
	// The admin key still works, and everything is gone.
	assert.Empty(t, h.must(http.StatusOK, h.do("GET", "/api/v1/configs", nil)).list())
	health := h.must(http.StatusOK, h.do("GET", "/api/v1/system/health", nil)).data()
	assert.Equal(t, map[string]any{"total_projects": 0.0, "total_users": 0.0, "total_configs": 0.0, "total_api_keys": 0.0, "disabled_api_keys": 0.0}, health["statistics"])
	key := h.must(http.StatusOK, h.do("GET", "/api/v1/settings/enkrypt-api-key", nil)).data()
	assert.Equal(t, false, key["configured"], "settings return to their defaults")
	h.seedConfig("after-reset")
}

// TestReadiness: /readyz needs no key and answers 200 while the store
// answers, 503 in the error envelope when it does not; /health (liveness)
// never asks the store.
func TestReadiness(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, func(t *testing.T, h *harness) {
		res := h.must(http.StatusOK, h.doWith("GET", "/readyz", nil, nil))
		assert.Equal(t, "API server is ready", res.Body["message"])
		assert.Equal(t, h.store.Backend(), res.data()["store"])
		assert.Equal(t, http.StatusOK, h.doWith("HEAD", "/readyz", nil, nil).Code, "probes may use HEAD")
	})

	down := newHarnessWith(t, func(s repositories.Store) repositories.Store { return downStore{s} }, nil)
	res := down.doWith("GET", "/readyz", nil, nil)
	assertError(t, res, http.StatusServiceUnavailable, "unavailable_error", "the store does not answer", "see the server log for request")
	assert.NotContains(t, string(res.Raw), sql.ErrConnDone.Error(), "no internals in 5xx bodies")
	assert.Equal(t, http.StatusServiceUnavailable, down.doWith("HEAD", "/readyz", nil, nil).Code)
	down.must(http.StatusOK, down.doWith("GET", "/health", nil, nil))
}
