package controllers_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/internal/actor"
	"github.com/securemcp/gateway/middleware"
	"github.com/securemcp/gateway/repositories"
)

// refusal finds the one refused record of action among recs.
func refusal(t *testing.T, recs []map[string]any, action string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, r := range recs {
		if r["action"] == action && r["outcome"] != "success" {
			found = append(found, r)
		}
	}
	require.Len(t, found, 1, "one refused %s in %v", action, recs)
	return found[0]
}

// Refused admin requests are recorded, one record each: by role (a write or a
// read), by a bad credential (never its secret), by the rules (400, 404, 409);
// nothing they asked for changes, and successful reads and refused reads of
// other kinds stay unrecorded.
func TestRefusedAdminRequestsAreRecorded(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, h *harness) {
		viewer := h.createAdminKey("watcher", "viewer")
		viewerID := h.auditRecords("action=admin_key.create")[0]["entity"].(map[string]any)["id"]

		// 403: a write and a read the viewer's role does not permit.
		forbidden := h.as(viewer, http.MethodPost, "/api/v1/users", map[string]any{"email": "eve@example.com"})
		assertError(t, forbidden, http.StatusForbidden, "forbidden")
		assertError(t, h.as(viewer, http.MethodGet, "/api/v1/admin-keys", nil), http.StatusForbidden, "forbidden")
		// 401: an unknown named key, and a token that is no key at all.
		unknown := "smgadm_" + strings.Repeat("Z", 43)
		assertError(t, h.as(unknown, http.MethodDelete, "/api/v1/configs/cfg", nil), http.StatusUnauthorized, "unauthorized")
		assertError(t, h.as("not-the-admin-key-but-a-secret", http.MethodGet, "/api/v1/users", nil), http.StatusUnauthorized, "unauthorized")
		// 400, 404, 409 refused by the rules.
		assertError(t, h.do(http.MethodPost, "/api/v1/users", map[string]any{"email": "not-an-email"}), http.StatusBadRequest, "invalid")
		missing := "0b7e6c1e-4a47-4b8e-9a55-2f1d3c4b5a69"
		assertError(t, h.do(http.MethodDelete, "/api/v1/users/"+missing, nil), http.StatusNotFound, "not_found")
		h.must(http.StatusCreated, h.do(http.MethodPost, "/api/v1/configs", map[string]any{"config_name": "cfg"}))
		conflict := h.do(http.MethodPost, "/api/v1/configs", map[string]any{"config_name": "cfg"})
		assertError(t, conflict, http.StatusConflict, "conflict")
		// A key's secret in a path is never kept, whatever the answer.
		gatewaySecret := "smg_" + strings.Repeat("q", 40)
		assert.GreaterOrEqual(t, h.do(http.MethodPost, "/api/v1/api-keys/"+gatewaySecret+"/disable", nil).Code, 400)
		// Refused reads other than by role or credential, and successful ones, are not recorded.
		h.must(http.StatusNotFound, h.do(http.MethodGet, "/api/v1/users/"+missing, nil))
		h.must(http.StatusOK, h.as(viewer, http.MethodGet, "/api/v1/users", nil))

		assert.Empty(t, h.must(http.StatusOK, h.do(http.MethodGet, "/api/v1/users", nil)).list(), "no refused write changed anything")
		recs := h.auditRecords("outcome=refused")
		require.Len(t, recs, 8, "%v", recs)

		// Two refused user.create: the viewer's (403) and the invalid one (400).
		var w, invalid map[string]any
		for _, r := range recs {
			if r["action"] == "user.create" && r["actor"].(map[string]any)["kind"] == "admin_key" {
				w = r
			} else if r["action"] == "user.create" {
				invalid = r
			}
		}
		require.NotNil(t, w)
		require.NotNil(t, invalid)
		assert.Equal(t, map[string]any{"status": float64(400), "reason": "invalid"}, invalid["details"])
		assert.Equal(t, map[string]any{"kind": "admin_key", "id": viewerID, "addr": "192.0.2.1"}, w["actor"], "the record names the key")
		assert.Equal(t, forbidden.Header.Get(middleware.RequestIDHeader), w["request_id"])
		assert.Equal(t, map[string]any{"status": float64(403), "reason": "forbidden"}, w["details"])

		read := refusal(t, recs, "admin_key.list")
		assert.Equal(t, map[string]any{"status": float64(403), "reason": "forbidden"}, read["details"], "a read refused by role shows probing")

		bad := refusal(t, recs, "config.remove")
		assert.Equal(t, map[string]any{"kind": "anonymous", "addr": "192.0.2.1"}, bad["actor"], "an unknown key names no one")
		assert.Equal(t, map[string]any{"kind": "config", "name": "cfg"}, bad["entity"])
		assert.Equal(t, map[string]any{"status": float64(401), "reason": "unauthorized"}, bad["details"])
		assert.Equal(t, "anonymous", refusal(t, recs, "user.list")["actor"].(map[string]any)["kind"])

		notFound := refusal(t, recs, "user.delete")
		assert.Equal(t, map[string]any{"kind": "user", "id": missing}, notFound["entity"])
		assert.Equal(t, map[string]any{"status": float64(404), "reason": "not_found"}, notFound["details"])
		assert.Equal(t, map[string]any{"kind": "root_key", "addr": "192.0.2.1"}, notFound["actor"])

		dup := refusal(t, recs, "config.add")
		assert.Equal(t, map[string]any{"status": float64(409), "reason": "conflict"}, dup["details"])
		assert.Equal(t, conflict.Header.Get(middleware.RequestIDHeader), dup["request_id"])

		key := refusal(t, recs, "user.disable_api_key")
		assert.Equal(t, map[string]any{"kind": "api_key"}, key["entity"], "a secret in the path is not kept")

		raw := string(h.must(http.StatusOK, h.do(http.MethodGet, "/api/v1/audit?limit=1000", nil)).Raw)
		for _, secret := range []string{viewer[len("smgadm_"):], unknown[len("smgadm_"):], "not-the-admin-key-but-a-secret", gatewaySecret, testAdminKey} {
			assert.NotContains(t, raw, secret, "no record holds a credential")
		}

		rep, err := h.svc.Audit.Verify(context.Background())
		require.NoError(t, err)
		assert.True(t, rep.OK(), "%+v", rep.Problem)
	})
}

// brokenDiskStore fails the transactions of requests (those with an actor),
// as a broken disk would, and lets the audit trail's own through.
type brokenDiskStore struct{ repositories.Store }

func (s brokenDiskStore) InTx(ctx context.Context, fn func(repositories.Repos) error) error {
	if _, ok := actor.From(ctx); ok {
		return errors.New("disk on fire")
	}
	return s.Store.InTx(ctx, fn)
}

// A write that fails on the server's side is recorded with outcome error,
// without the cause.
func TestFailedWritesAreRecordedAsErrors(t *testing.T) {
	h := newHarnessWith(t, func(s repositories.Store) repositories.Store { return brokenDiskStore{s} }, nil)
	assertError(t, h.do(http.MethodPost, "/api/v1/users", map[string]any{"email": "a@example.com"}), http.StatusInternalServerError, "internal_error")
	recs := h.auditRecords("")
	require.Len(t, recs, 1)
	assert.Equal(t, "user.create", recs[0]["action"])
	assert.Equal(t, "error", recs[0]["outcome"])
	assert.Equal(t, map[string]any{"status": float64(500), "reason": "internal_error"}, recs[0]["details"])
	assert.NotContains(t, string(h.must(http.StatusOK, h.do(http.MethodGet, "/api/v1/audit", nil)).Raw), "disk on fire")
}

// A flood of bad keys costs a bounded number of records: the first Burst of
// a window one by one, the rest counted in one aggregate record whose counts
// are exact, logged once; the chain still verifies.
func TestAFloodOfBadKeysIsAggregated(t *testing.T) {
	h := newHarness(t)
	var mu sync.Mutex
	var logged []audit.Aggregate
	const burst, flood = 50, 3000
	// A window longer than the test: the bound does not depend on its speed.
	h.svc.Audit.SetRefusalLimits(audit.GateConfig{Interval: 24 * time.Hour, Burst: burst}, func(a audit.Aggregate) {
		mu.Lock()
		defer mu.Unlock()
		logged = append(logged, a)
	})
	start := time.Now()
	for i := range flood {
		res := h.as(fmt.Sprintf("smgadm_flood%040d", i), http.MethodPost, "/api/v1/users", map[string]any{"email": "x@example.com"})
		require.Equal(t, http.StatusUnauthorized, res.Code)
	}
	t.Logf("%d refused requests in %v", flood, time.Since(start))

	single := h.auditRecords("action=user.create&outcome=refused")
	assert.LessOrEqual(t, len(single), burst, "at most the burst one by one")
	aggs := h.auditRecords("action=" + audit.ActionRefusalsAggregated)
	require.Len(t, aggs, 1, "one aggregate for the window")
	d := aggs[0]["details"].(map[string]any)
	assert.EqualValues(t, flood-len(single), d["count"], "every refusal is counted, one way or the other")
	assert.Equal(t, map[string]any{"user.create": float64(flood - len(single))}, d["by_action"])
	assert.Equal(t, map[string]any{"192.0.2.1": float64(flood - len(single))}, d["by_addr"])
	assert.Equal(t, map[string]any{"anonymous": float64(flood - len(single))}, d["by_actor_kind"])
	assert.Equal(t, "system", aggs[0]["actor"].(map[string]any)["kind"])
	mu.Lock()
	require.Len(t, logged, 1, "logged once for the window")
	assert.EqualValues(t, flood-len(single), logged[0].Count)
	mu.Unlock()

	rep, err := h.svc.Audit.Verify(context.Background())
	require.NoError(t, err)
	assert.True(t, rep.OK(), "%+v", rep.Problem)
	assert.LessOrEqual(t, rep.Records, int64(burst+1), "burst + 1 records in all")
}

// BenchmarkRefusedAdminKey is the cost of a request refused for its key,
// recorded (or, beyond the burst, counted) in the audit trail.
func BenchmarkRefusedAdminKey(b *testing.B) {
	h := newHarness(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/users", strings.NewReader(`{"email":"x@example.com"}`))
		req.Header.Set("Authorization", fmt.Sprintf("Bearer smgadm_bench%040d", i))
		rec := httptest.NewRecorder()
		h.router.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			b.Fatal(rec.Code)
		}
	}
}
