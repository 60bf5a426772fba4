package controllers_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/controllers"
	"github.com/securemcp/gateway/middleware"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/sqlstore"
)

// as sends a request with the given bearer key.
func (h *harness) as(key, method, path string, body any) response {
	h.t.Helper()
	return h.doWith(method, path, body, map[string]string{"Authorization": "Bearer " + key})
}

// createAdminKey creates a named admin key with the bootstrap key and returns its secret.
func (h *harness) createAdminKey(name, role string) string {
	h.t.Helper()
	res := h.must(http.StatusCreated, h.do("POST", "/api/v1/admin-keys", map[string]any{"name": name, "role": role}))
	secret, _ := res.data()["api_key"].(string)
	require.True(h.t, strings.HasPrefix(secret, "smgadm_"), "secret %q", secret)
	return secret
}

func TestAdminKeyRoutes(t *testing.T) {
	dir := t.TempDir()
	openAt := func(tb testing.TB) *sqlstore.Store {
		s, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(dir, "gateway.db"))
		require.NoError(tb, err)
		tb.Cleanup(func() { _ = s.Close() })
		return s
	}
	h := newHarnessOn(t, openAt, nil, nil)

	res := h.must(http.StatusCreated, h.do("POST", "/api/v1/admin-keys",
		map[string]any{"name": "ci", "role": "operator", "expires_at": "2030-01-01T00:00:00Z"}))
	d := res.data()
	secret, _ := d["api_key"].(string)
	require.Len(t, secret, len("smgadm_")+43+6)
	assert.Equal(t, "ci", d["name"])
	assert.Equal(t, "operator", d["role"])
	assert.Equal(t, "2030-01-01T00:00:00Z", d["expires_at"])
	assert.Equal(t, "smgadm_…"+secret[len(secret)-4:], d["masked"])
	assert.Equal(t, "active", d["status"])
	id, _ := d["key_id"].(string)
	h.createAdminKey("reader", "viewer")
	h.createAdminKey("boss", "admin")

	t.Run("shown once, never listed", func(t *testing.T) {
		list := h.must(http.StatusOK, h.do("GET", "/api/v1/admin-keys", nil))
		assert.Equal(t, "3", list.Header.Get("X-Total-Count"))
		assert.NotContains(t, string(list.Raw), secret[len("smgadm_"):len(secret)-4])
		names := []string{}
		for _, k := range list.list() {
			names = append(names, k["name"].(string))
			assert.NotContains(t, k, "api_key")
		}
		assert.Equal(t, []string{"ci", "reader", "boss"}, names)
		page := h.must(http.StatusOK, h.do("GET", "/api/v1/admin-keys?limit=1&offset=1", nil))
		assert.Equal(t, "3", page.Header.Get("X-Total-Count"))
		require.Len(t, page.list(), 1)
		assert.Equal(t, "reader", page.list()[0]["name"])
		for _, ident := range []string{id, "ci"} {
			got := h.must(http.StatusOK, h.do("GET", "/api/v1/admin-keys/"+ident, nil)).data()
			assert.Equal(t, id, got["key_id"])
			assert.NotContains(t, got, "api_key")
		}
	})
	t.Run("stored hashed", func(t *testing.T) {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		require.NotEmpty(t, entries)
		for _, e := range entries {
			raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
			require.NoError(t, err)
			assert.NotContains(t, string(raw), secret[len("smgadm_"):], "the secret is in %s", e.Name())
		}
	})
	t.Run("bad input", func(t *testing.T) {
		assertError(t, h.do("POST", "/api/v1/admin-keys", map[string]any{"name": "", "role": "superuser"}),
			http.StatusBadRequest, "invalid", "name", "role must be one of admin, operator, viewer")
		assertError(t, h.do("POST", "/api/v1/admin-keys", map[string]any{"name": "x", "role": "admin", "expires_at": "2030-01-01T00:00:00Z", "expires_in_seconds": 60}),
			http.StatusBadRequest, "invalid", "not both")
		assertError(t, h.do("POST", "/api/v1/admin-keys", map[string]any{"name": "x", "role": "admin", "expires_at": "2001-01-01T00:00:00Z"}),
			http.StatusBadRequest, "invalid", "expires_at must be in the future")
		assertError(t, h.do("POST", "/api/v1/admin-keys", map[string]any{"name": "x", "role": "admin", "expires_in_seconds": "soon"}),
			http.StatusBadRequest, "invalid", "expires_in_seconds")
		assertError(t, h.do("POST", "/api/v1/admin-keys", `{"name": `), http.StatusBadRequest, "invalid", "malformed JSON")
		assertError(t, h.do("GET", "/api/v1/admin-keys?limit=-1", nil), http.StatusBadRequest, "invalid", "limit")
		assertError(t, h.do("GET", "/api/v1/admin-keys/"+secret, nil), http.StatusBadRequest, "invalid", "never by their secret")
		assertError(t, h.do("POST", "/api/v1/admin-keys", map[string]any{"name": "ci", "role": "admin"}),
			http.StatusConflict, "conflict", `"ci" already exists`)
	})
	t.Run("the bootstrap key cannot be deleted", func(t *testing.T) {
		assertError(t, h.do("DELETE", "/api/v1/admin-keys/"+testAdminKey, nil), http.StatusNotFound, "not_found")
		assertError(t, h.do("DELETE", "/api/v1/admin-keys/root", nil), http.StatusNotFound, "not_found")
		h.must(http.StatusOK, h.do("GET", "/api/v1/admin-keys", nil))
	})
	t.Run("revoked key is refused at its next request", func(t *testing.T) {
		h.must(http.StatusOK, h.as(secret, "GET", "/api/v1/configs", nil))
		del := h.must(http.StatusOK, h.do("DELETE", "/api/v1/admin-keys/ci", nil)).data()
		assert.Equal(t, id, del["key_id"])
		assertError(t, h.as(secret, "GET", "/api/v1/configs", nil), http.StatusUnauthorized, "unauthorized", "invalid admin API key")
		assertError(t, h.do("DELETE", "/api/v1/admin-keys/"+id, nil), http.StatusNotFound, "not_found")
		assertError(t, h.do("GET", "/api/v1/admin-keys/"+id, nil), http.StatusNotFound, "not_found")
	})
}

func TestExpiredAdminKeyIsRefused(t *testing.T) {
	h := newHarness(t)
	res := h.must(http.StatusCreated, h.do("POST", "/api/v1/admin-keys", map[string]any{"name": "brief", "role": "admin", "expires_in_seconds": 1}))
	secret, _ := res.data()["api_key"].(string)
	h.must(http.StatusOK, h.as(secret, "GET", "/api/v1/configs", nil))
	time.Sleep(1100 * time.Millisecond)
	res = h.as(secret, "GET", "/api/v1/configs", nil)
	assertError(t, res, http.StatusUnauthorized, "unauthorized", "the admin API key has expired")
	assert.Contains(t, res.Header.Get("WWW-Authenticate"), "Bearer")
	listed := h.must(http.StatusOK, h.do("GET", "/api/v1/admin-keys/brief", nil)).data()
	assert.Equal(t, "expired", listed["status"])

	refused := h.auditRecords("outcome=refused")
	require.Len(t, refused, 1)
	assert.Equal(t, "config.list", refused[0]["action"])
	assert.Equal(t, map[string]any{"kind": "admin_key", "id": listed["key_id"], "addr": "192.0.2.1"}, refused[0]["actor"],
		"the refusal names the expired key (never its secret)")
	assert.NotContains(t, string(h.must(http.StatusOK, h.do("GET", "/api/v1/audit", nil)).Raw), secret[len("smgadm_"):])
}

// Each role against a read, a write, settings, backup, exports, restore,
// reset and the admin-key routes: 403 in the error envelope beyond the role.
func TestRolesThroughTheAPI(t *testing.T) {
	h := newHarness(t)
	h.seedConfig("cfg", "github")
	keys := map[string]string{
		"root":     testAdminKey,
		"admin":    h.createAdminKey("an-admin", "admin"),
		"operator": h.createAdminKey("an-operator", "operator"),
		"viewer":   h.createAdminKey("a-viewer", "viewer"),
	}
	h.createAdminKey("victim", "viewer")
	type call struct {
		name, method, path string
		body               any
		minRole            string // the least role allowed: viewer, operator or admin
	}
	calls := []call{
		{"read", "GET", "/api/v1/configs", nil, "viewer"},
		{"read settings", "GET", "/api/v1/settings", nil, "viewer"},
		{"search (a read sent as POST)", "POST", "/api/v1/configs/search", map[string]string{"search_term": "cf"}, "viewer"},
		{"health", "GET", "/api/v1/system/health", nil, "viewer"},
		{"write", "POST", "/api/v1/users", map[string]string{"email": "x@example.com"}, "operator"},
		{"export", "POST", "/api/v1/configs/cfg/export", map[string]string{"output_file": "cfg.json"}, "operator"},
		{"backup", "POST", "/api/v1/system/backup", map[string]string{"output_file": "b.json"}, "operator"},
		{"settings", "PUT", "/api/v1/settings/telemetry", map[string]any{"enabled": false}, "admin"},
		{"provider key", "PUT", "/api/v1/settings/enkrypt-api-key", map[string]any{"api_key": providerKey}, "admin"},
		{"restore", "POST", "/api/v1/system/restore", map[string]string{"input_file": "missing.json"}, "admin"},
		{"reset", "POST", "/api/v1/system/reset", map[string]any{}, "admin"},
		{"list admin keys", "GET", "/api/v1/admin-keys", nil, "admin"},
		{"get admin key", "GET", "/api/v1/admin-keys/victim", nil, "admin"},
		{"create admin key", "POST", "/api/v1/admin-keys", map[string]any{"name": "new", "role": "viewer"}, "admin"},
		{"delete admin key", "DELETE", "/api/v1/admin-keys/no-such-key", nil, "admin"},
	}
	rank := map[string]int{"viewer": 0, "operator": 1, "admin": 2, "root": 2}
	for _, c := range calls {
		for _, who := range []string{"viewer", "operator", "admin", "root"} {
			t.Run(c.name+" as "+who, func(t *testing.T) {
				body := c.body
				if c.name == "create admin key" {
					body = map[string]any{"name": "new-by-" + who, "role": "viewer"}
				}
				res := h.as(keys[who], c.method, c.path, body)
				if rank[who] < rank[c.minRole] {
					assertError(t, res, http.StatusForbidden, "forbidden", "role "+who, "does not permit")
					return
				}
				// Allowed: whatever the operation answers, never a refusal of the credential.
				assert.NotContains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, res.Code, "body: %s", res.Raw)
			})
		}
	}
	// Nothing the refused calls asked for happened.
	names := []string{}
	for _, k := range h.must(http.StatusOK, h.do("GET", "/api/v1/admin-keys", nil)).list() {
		names = append(names, k["name"].(string))
	}
	assert.Equal(t, []string{"an-admin", "an-operator", "a-viewer", "victim", "new-by-admin", "new-by-root"}, names)
}

// A viewer sees every secret masked, always; an operator sees env values.
func TestViewerSeesSecretsMasked(t *testing.T) {
	h := newHarness(t)
	h.must(http.StatusCreated, h.do("POST", "/api/v1/configs", map[string]string{"config_name": "cfg"}))
	h.must(http.StatusCreated, h.do("POST", "/api/v1/configs/cfg/servers", map[string]any{
		"server_name": "gh", "server_command": "npx", "args": []string{"--token", "ghp_secret0123456789"},
		"env": map[string]string{"GITHUB_TOKEN": "ghp_secret0123456789"}}))
	h.seedProject("p", "cfg")
	h.must(http.StatusOK, h.do("PUT", "/api/v1/settings/enkrypt-api-key", map[string]string{"api_key": providerKey}))
	viewer := h.createAdminKey("v", "viewer")
	operator := h.createAdminKey("o", "operator")
	for _, path := range []string{"/api/v1/configs/cfg", "/api/v1/configs/cfg/servers", "/api/v1/configs/cfg/servers/gh",
		"/api/v1/projects/p/config", "/api/v1/settings", "/api/v1/settings/enkrypt-api-key"} {
		res := h.must(http.StatusOK, h.as(viewer, "GET", path, nil))
		assert.NotContains(t, string(res.Raw), "ghp_secret", path)
		assert.NotContains(t, string(res.Raw), providerKey, path)
	}
	assert.Contains(t, string(h.must(http.StatusOK, h.as(operator, "GET", "/api/v1/configs/cfg", nil)).Raw), "ghp_secret0123456789")
	for _, path := range []string{"/api/v1/configs/cfg/export", "/api/v1/projects/p/export", "/api/v1/system/backup"} {
		assertError(t, h.as(viewer, "POST", path, map[string]string{"output_file": "leak.json"}), http.StatusForbidden, "forbidden")
	}
	_, err := os.Stat(filepath.Join(h.dataDir, "leak.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// Bad named keys count against the address like any bad admin key; a valid
// named key still passes from a blocked address.
func TestBadAdminKeysAreThrottled(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	limiter := middleware.NewAuthLimiter(3, time.Minute, 100, clock.Now)
	h := newHarnessWith(t, nil, func(d *controllers.Deps) { d.AuthLimiter = limiter })
	good := h.createAdminKey("good", "viewer")
	const attacker = "198.51.100.7"
	unknown := "smgadm_" + strings.Repeat("A", 49)
	forged := good[:len(good)-6] + "AAAAAA"
	for _, key := range []string{unknown, forged, "smgadm_short"} {
		assertError(t, h.from(attacker, key, "/api/v1/configs"), http.StatusUnauthorized, "unauthorized", "invalid admin API key")
	}
	// One character off the good key (never the same character: that would
	// be the good key itself, once in 64 keys).
	last := "x"
	if strings.HasSuffix(good, last) {
		last = "y"
	}
	res := h.from(attacker, good[:len(good)-1]+last, "/api/v1/configs")
	assertError(t, res, http.StatusTooManyRequests, "too_many_requests")
	h.must(http.StatusOK, h.from(attacker, good, "/api/v1/configs"))
	h.must(http.StatusOK, h.from(attacker, testAdminKey, "/api/v1/configs"))
}

// Admin keys are credentials of the management API, not state of the
// gateway: a backup holds none of them (not even hashed), a restore does not
// replace them and a reset does not delete them, so that restoring another
// instance's backup grants nobody access and the admins doing it keep theirs.
func TestAdminKeysAreOutsideBackupRestoreAndReset(t *testing.T) {
	h := newHarness(t)
	h.seedConfig("cfg")
	secret := h.createAdminKey("ops-robot", "admin")
	stored, _, err := h.store.AdminKeys().List(context.Background(), repositories.Page{})
	require.NoError(t, err)
	require.Len(t, stored, 1)

	h.must(http.StatusOK, h.as(secret, "POST", "/api/v1/system/backup", map[string]string{"output_file": "b.json"}))
	raw, err := os.ReadFile(filepath.Join(h.dataDir, "b.json"))
	require.NoError(t, err)
	for _, leak := range []string{"ops-robot", stored[0].Hash, stored[0].ID, "smgadm_"} {
		assert.NotContains(t, string(raw), leak)
	}

	h.must(http.StatusOK, h.as(secret, "POST", "/api/v1/system/reset", map[string]bool{"confirm": true}))
	h.must(http.StatusOK, h.as(secret, "GET", "/api/v1/configs", nil))
	other := h.createAdminKey("made-after-backup", "viewer")
	h.must(http.StatusOK, h.as(secret, "POST", "/api/v1/system/restore", map[string]string{"input_file": "b.json"}))
	h.must(http.StatusOK, h.as(other, "GET", "/api/v1/configs/cfg", nil))
	h.must(http.StatusOK, h.as(secret, "GET", "/api/v1/admin-keys/made-after-backup", nil))
}
