package dataplane_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/audit"
	"github.com/securemcp/gateway/config"
	"github.com/securemcp/gateway/internal/dataplane"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/trail"
)

// Keys refused at /mcp are recorded over the real core: an unknown key names
// no one, a disabled one names its key, user and project; each with the
// client address, never the secret.
func TestRefusedGatewayKeysAreRecorded(t *testing.T) {
	ctx := context.Background()
	files, err := confine.NewDataDir(filepath.Join(t.TempDir(), "data"))
	require.NoError(t, err)
	svc := services.New(sqltest.NewSQLite(t), files, entity.SystemClock, sealing.NewEphemeralSealer())
	t.Cleanup(func() { _ = svc.Close() })

	_, err = svc.Configs.Create(ctx, "cfg")
	require.NoError(t, err)
	project, err := svc.Projects.Create(ctx, "proj")
	require.NoError(t, err)
	_, _, err = svc.Projects.AssignConfig(ctx, "proj", "", "cfg")
	require.NoError(t, err)
	user, err := svc.Users.Create(ctx, "dev@example.com")
	require.NoError(t, err)
	_, err = svc.Projects.AddMember(ctx, "proj", "", "dev@example.com")
	require.NoError(t, err)
	disabled, err := svc.APIKeys.Generate(ctx, "dev@example.com", "", "proj", "")
	require.NoError(t, err)
	_, err = svc.APIKeys.Disable(ctx, disabled.Key.ID)
	require.NoError(t, err)
	deleted, err := svc.APIKeys.Generate(ctx, "dev@example.com", "", "proj", "")
	require.NoError(t, err)
	_, err = svc.APIKeys.Delete(ctx, deleted.Key.ID)
	require.NoError(t, err)

	settings := config.Settings{MaxBodyBytes: 1 << 20, Gateway: config.GatewaySettings{ToolMode: "both", SessionTimeout: time.Minute}}
	pool, err := dataplane.NewPool(settings.Gateway, zap.NewNop(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = pool.Close(context.Background()) })
	handler, err := dataplane.NewHandler(dataplane.Core{Keys: svc.APIKeys, Configs: svc.Configs, ProviderKey: svc.Settings.ProviderKey,
		Calls: svc.Audit, Refusals: svc.Audit}, settings, pool, zap.NewNop(), nil)
	require.NoError(t, err)

	unknown := "smg_" + strings.Repeat("x", 40)
	for _, key := range []string{disabled.Secret, deleted.Secret, unknown, ""} {
		req := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		require.Equal(t, http.StatusUnauthorized, rec.Code, "key %q", key)
	}

	require.NoError(t, svc.Audit.Flush(ctx))
	recs, err := svc.Audit.List(ctx, audit.Query{Action: trail.ActionGatewayAuthenticate})
	require.NoError(t, err)
	require.Len(t, recs, 4)
	byReason := map[string]audit.Record{}
	for _, r := range recs {
		var d audit.Refusal
		require.NoError(t, json.Unmarshal(r.Details, &d))
		assert.Equal(t, http.StatusUnauthorized, d.Status)
		assert.Equal(t, audit.OutcomeRefused, r.Outcome)
		byReason[d.Reason] = r
		for _, secret := range []string{disabled.Secret[len("smg_"):], deleted.Secret[len("smg_"):], unknown[len("smg_"):]} {
			assert.NotContains(t, string(r.Details)+r.Actor.ID+r.Entity.Name+r.Entity.ID, secret)
		}
	}
	assert.Equal(t, audit.Actor{Kind: audit.ActorGatewayKey, ID: disabled.Key.ID, UserID: user.ID, ProjectID: project.ID, Addr: "192.0.2.1"},
		byReason["disabled"].Actor, "a key that exists is named")
	assert.Equal(t, audit.Actor{Kind: audit.ActorAnonymous, Addr: "192.0.2.1"}, byReason["unknown"].Actor, "a key that no longer exists names no one")
	assert.Equal(t, audit.Actor{Kind: audit.ActorAnonymous, Addr: "192.0.2.1"}, byReason["malformed"].Actor, "a key no one issued names no one")
	assert.Equal(t, audit.Actor{Kind: audit.ActorAnonymous, Addr: "192.0.2.1"}, byReason["missing_key"].Actor)

	rep, err := svc.Audit.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, rep.OK(), "%+v", rep.Problem)
}

// A flood of bad keys at /mcp, most of them throttled, costs the burst and
// one aggregate record, whose count is exact; the chain verifies.
func TestAFloodOfBadGatewayKeysIsAggregated(t *testing.T) {
	ctx := context.Background()
	files, err := confine.NewDataDir(filepath.Join(t.TempDir(), "data"))
	require.NoError(t, err)
	svc := services.New(sqltest.NewSQLite(t), files, entity.SystemClock, sealing.NewEphemeralSealer())
	t.Cleanup(func() { _ = svc.Close() })
	const burst, flood = 20, 2000
	svc.Audit.SetRefusalLimits(audit.GateConfig{Interval: 24 * time.Hour, Burst: burst}, nil)
	settings := config.Settings{MaxBodyBytes: 1 << 20, Gateway: config.GatewaySettings{ToolMode: "both", SessionTimeout: time.Minute}}
	pool, err := dataplane.NewPool(settings.Gateway, zap.NewNop(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = pool.Close(context.Background()) })
	handler, err := dataplane.NewHandler(dataplane.Core{Keys: svc.APIKeys, Configs: svc.Configs, ProviderKey: svc.Settings.ProviderKey,
		Calls: svc.Audit, Refusals: svc.Audit}, settings, pool, zap.NewNop(), nil)
	require.NoError(t, err)

	statuses := map[int]int{}
	for i := range flood {
		req := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(`{}`))
		req.Header.Set("apikey", "smg_flood"+strings.Repeat("x", i%50))
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		statuses[rec.Code]++
	}
	assert.Equal(t, flood, statuses[http.StatusUnauthorized]+statuses[http.StatusTooManyRequests])

	require.NoError(t, svc.Audit.Flush(ctx))
	single, err := svc.Audit.List(ctx, audit.Query{Action: trail.ActionGatewayAuthenticate, Limit: audit.MaxLimit})
	require.NoError(t, err)
	assert.Len(t, single, burst)
	aggs, err := svc.Audit.List(ctx, audit.Query{Action: audit.ActionRefusalsAggregated})
	require.NoError(t, err)
	require.Len(t, aggs, 1)
	var a audit.Aggregate
	require.NoError(t, json.Unmarshal(aggs[0].Details, &a))
	assert.EqualValues(t, flood-burst, a.Count)
	assert.Equal(t, map[string]int64{"192.0.2.1": flood - burst}, a.ByAddr)
	rep, err := svc.Audit.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, rep.OK(), "%+v", rep.Problem)
	assert.EqualValues(t, burst+1, rep.Records)
}
