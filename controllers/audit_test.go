package controllers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/controllers"
	"github.com/securemcp/gateway/middleware"
)

func TestAdminWritesAreInTheAuditTrail(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, h *harness) {
		created := h.must(http.StatusCreated, h.do(http.MethodPost, "/api/v1/users", map[string]any{"email": "Alice@Example.com"}))
		id := created.data()["user_id"].(string)
		h.must(http.StatusConflict, h.do(http.MethodPost, "/api/v1/users", map[string]any{"email": "alice@example.com"}))
		h.must(http.StatusOK, h.do(http.MethodPut, "/api/v1/users/"+id, map[string]any{"new_email": "bob@example.com"}))
		h.must(http.StatusOK, h.do(http.MethodGet, "/api/v1/users/"+id, nil)) // reads are not recorded

		require.Len(t, h.auditRecords(""), 3, "one record per write that happened, and one of the refused write")
		// The refusal is stored in a batch, after the update or before it.
		refused := h.auditRecords("outcome=refused")[0]
		recs := h.auditRecords("outcome=success")
		require.Len(t, recs, 2)
		update, create := recs[0], recs[1]
		assert.Equal(t, "user.create", refused["action"])
		assert.Equal(t, "refused", refused["outcome"])
		assert.Equal(t, map[string]any{"status": float64(409), "reason": "conflict"}, refused["details"])
		assert.Equal(t, "user.update", update["action"])
		assert.Equal(t, "user.create", create["action"])
		assert.Equal(t, created.Header.Get(middleware.RequestIDHeader), create["request_id"])
		assert.Equal(t, map[string]any{"kind": "root_key", "addr": "192.0.2.1"}, create["actor"], "httptest's client address")
		assert.Equal(t, map[string]any{"kind": "user", "id": id, "name": "alice@example.com"}, create["entity"])
		assert.Equal(t, "success", create["outcome"])
		changes := update["details"].(map[string]any)["changes"].([]any)
		require.Len(t, changes, 2, "the email and the time of the change")
		assert.Equal(t, map[string]any{"path": "/user/" + id + "/Email", "before": "alice@example.com", "after": "bob@example.com"}, changes[0])
		assert.Equal(t, "/user/"+id+"/UpdatedAt", changes[1].(map[string]any)["path"])
		assert.Contains(t, []any{create["hash"], refused["hash"]}, update["prev_hash"], "records are chained")
	})
}

// auditRecords lists the records matching query (a URL query, "" for all),
// newest first, once every record queued (refusals are stored in batches) is
// stored.
func (h *harness) auditRecords(query string) []map[string]any {
	h.t.Helper()
	require.NoError(h.t, h.svc.Audit.Flush(context.Background()))
	return h.must(http.StatusOK, h.do(http.MethodGet, "/api/v1/audit?limit=1000&"+query, nil)).list()
}

func TestAuditListFiltersAndPages(t *testing.T) {
	h := newHarness(t)
	for _, e := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		h.must(http.StatusCreated, h.do(http.MethodPost, "/api/v1/users", map[string]any{"email": e}))
	}
	h.must(http.StatusCreated, h.do(http.MethodPost, "/api/v1/configs", map[string]any{"config_name": "cfg"}))

	first := h.must(http.StatusOK, h.do(http.MethodGet, "/api/v1/audit?action=user.create&limit=2", nil))
	require.Len(t, first.list(), 2)
	assert.Equal(t, "c@example.com", first.list()[0]["entity"].(map[string]any)["name"])
	next := first.Header.Get(controllers.NextBeforeHeader)
	require.NotEqual(t, "0", next)
	second := h.must(http.StatusOK, h.do(http.MethodGet, "/api/v1/audit?action=user.create&limit=2&before="+next, nil))
	require.Len(t, second.list(), 1)
	assert.Equal(t, "a@example.com", second.list()[0]["entity"].(map[string]any)["name"])
	assert.Equal(t, "0", second.Header.Get(controllers.NextBeforeHeader), "the last page")

	for query, n := range map[string]int{"entity_kind=config": 1, "actor_kind=root_key": 4, "actor_kind=cli": 0,
		"outcome=refused": 0, "from=2000-01-01T00:00:00Z": 4, "to=2000-01-01T00:00:00Z": 0} {
		assert.Len(t, h.must(http.StatusOK, h.do(http.MethodGet, "/api/v1/audit?"+query, nil)).list(), n, query)
	}
}

func TestAuditListRefusesBadFilters(t *testing.T) {
	h := newHarness(t)
	for query, detail := range map[string]string{
		"from=yesterday":      "from must be an RFC 3339 time",
		"to=1":                "to must be an RFC 3339 time",
		"limit=0":             "limit must be a positive integer",
		"limit=5000":          "limit must be between 1 and 1000",
		"before=-1":           "before must be a positive integer",
		"actor_kind=robot":    `unknown actor kind "robot"`,
		"outcome=maybe":       `unknown outcome "maybe"`,
		"action=DROP%20TABLE": "is not of the form entity.verb",
		"from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z": "from must be before to",
	} {
		assertError(t, h.do(http.MethodGet, "/api/v1/audit?"+query, nil), http.StatusBadRequest, "invalid", detail)
	}
	assertError(t, h.doWith(http.MethodGet, "/api/v1/audit", nil, nil), http.StatusUnauthorized, "unauthorized")
}

func TestEveryRouteNamesItsAction(t *testing.T) {
	h := newHarness(t)
	seen := map[string]bool{}
	for _, r := range h.routes {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		route := r.Method + " " + r.Path
		seen[route] = true
		assert.Regexp(t, `^[a-z_]+(\.[a-z_]+)+$`, controllers.Actions[route], "%s has no action name", route)
	}
	for route := range controllers.Actions {
		assert.True(t, seen[route], "%s is not a route", route)
	}
}

// A named admin key's writes are recorded under that key (its id and name,
// never its secret), and so are the creation and deletion of keys.
func TestAuditNamesTheAdminKeyThatActed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	secret := h.createAdminKey("ops-robot", "operator")
	created := h.must(http.StatusCreated, h.as(secret, http.MethodPost, "/api/v1/users", map[string]any{"email": "dana@example.com"}))
	require.NotEmpty(t, created.data()["user_id"])

	recs := h.must(http.StatusOK, h.do(http.MethodGet, "/api/v1/audit", nil)).list()
	require.Len(t, recs, 2)
	write, keyCreated := recs[0], recs[1]
	assert.Equal(t, "admin_key.create", keyCreated["action"])
	assert.Equal(t, "root_key", keyCreated["actor"].(map[string]any)["kind"])
	keyEntity := keyCreated["entity"].(map[string]any)
	assert.Equal(t, map[string]any{"kind": "admin_key", "id": keyEntity["id"], "name": "ops-robot"}, keyEntity)

	assert.Equal(t, "user.create", write["action"])
	who := write["actor"].(map[string]any)
	assert.Equal(t, "admin_key", who["kind"])
	assert.Equal(t, keyEntity["id"], who["id"], "the record names the key that acted")
	raw := string(h.must(http.StatusOK, h.do(http.MethodGet, "/api/v1/audit", nil)).Raw)
	assert.NotContains(t, raw, secret[len("smgadm_"):], "no record holds the key's secret")
}
