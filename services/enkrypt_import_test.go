package services_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/access"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/keymaterial"
	"github.com/securemcp/gateway/services/system"
)

const fixturePath = "../testdata/enkrypt_mcp_config.json"

// enkryptFixture is the original system's config file of the test data, with
// the plaintext keys it holds.
type enkryptFixture struct {
	data []byte
	keys map[string]struct {
		ProjectID string `json:"project_id"`
		UserID    string `json:"user_id"`
		Disabled  bool   `json:"disabled"`
	}
}

func loadFixture(t *testing.T) enkryptFixture {
	t.Helper()
	var f enkryptFixture
	var err error
	f.data, err = os.ReadFile(fixturePath)
	require.NoError(t, err)
	var doc struct {
		APIKeys json.RawMessage `json:"apikeys"`
	}
	require.NoError(t, json.Unmarshal(f.data, &doc))
	require.NoError(t, json.Unmarshal(doc.APIKeys, &f.keys))
	require.Len(t, f.keys, 4)
	return f
}

func TestRestoreOfTheOriginalConfigFile(t *testing.T) {
	t.Parallel()
	onEverySystemBackend(t, func(t *testing.T, c systemCore) {
		ctx := context.Background()
		f := loadFixture(t)
		c.writeFile(t, "enkrypt_mcp_config.json", f.data)

		res, err := c.svc.System.Restore(ctx, "input_file", "enkrypt_mcp_config.json")
		require.NoError(t, err)
		assert.Equal(t, system.FormatEnkrypt, res.SourceFormat)
		assert.Equal(t, models.BackupCounts{Configs: 2, Servers: 3, Projects: 2, Users: 3, Memberships: 4, APIKeys: 4, Settings: 4}, res.Counts)
		assert.Contains(t, strings.Join(res.Notes, "\n"), "admin_apikey is not imported")
		out, err := json.Marshal(res)
		require.NoError(t, err)
		for secret := range f.keys {
			assert.NotContains(t, string(out), secret, "no plaintext key in the result")
		}

		t.Run("every key is stored hashed and can authenticate", func(t *testing.T) {
			for secret, want := range f.keys {
				k, err := c.store.APIKeys().GetByHash(ctx, keymaterial.HashAPIKeySecret(secret))
				require.NoError(t, err)
				assert.Equal(t, secret[len(secret)-4:], k.Last4)
				assert.Equal(t, want.Disabled, k.Disabled)
				assert.Equal(t, want.UserID, k.UserID)
				assert.Equal(t, want.ProjectID, k.ProjectID)
				member, err := c.store.Memberships().Exists(ctx, k.ProjectID, k.UserID)
				require.NoError(t, err)
				assert.True(t, member)
				p, err := c.store.Projects().Get(ctx, k.ProjectID)
				require.NoError(t, err)
				assert.NotEmpty(t, p.ConfigID)
				v, err := c.svc.APIKeys.Verify(ctx, secret)
				if want.Disabled {
					assert.Equal(t, access.ReasonDisabled, access.RefusalReason(err), "the disabled key stays disabled")
					continue
				}
				require.NoError(t, err, "an imported key authenticates with its old secret")
				view, err := c.svc.APIKeys.Get(ctx, k.ID)
				require.NoError(t, err)
				assert.Equal(t, "…"+secret[len(secret)-4:], view.Masked, "an imported key is shown without a prefix it never had")
				assert.Equal(t, want.UserID, v.User.ID)
				assert.Equal(t, p.ConfigID, v.Config.ID)
			}
		})
		t.Run("records keep their ids, names, times and policies", func(t *testing.T) {
			bob, err := c.store.Users().Resolve(ctx, "bob.builder@example.com")
			require.NoError(t, err)
			assert.Equal(t, "bob.builder@example.com", bob.Email, "emails are lowercased")
			assert.Equal(t, time.Date(2025, 3, 5, 10, 0, 0, 500000000, time.UTC), bob.CreatedAt)
			p, err := c.store.Projects().Resolve(ctx, "platform")
			require.NoError(t, err)
			assert.Equal(t, "5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11", p.ID)
			assert.Equal(t, "3f2c7a4e-8a6b-4c1e-9d2f-1b5e6c7d8e9f", p.ConfigID)
			members, err := c.store.Memberships().ListByProject(ctx, p.ID)
			require.NoError(t, err)
			require.Len(t, members, 2)
			assert.Equal(t, "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a", members[0].UserID)
			for _, m := range members {
				u, err := c.store.Users().Get(ctx, m.UserID)
				require.NoError(t, err)
				assert.False(t, m.CreatedAt.Before(u.CreatedAt), "no one is a member before they exist")
				assert.False(t, m.CreatedAt.Before(p.CreatedAt), "nor before the project does")
			}
			github, err := c.svc.Configs.GetServer(ctx, "engineering", "github")
			require.NoError(t, err)
			assert.Equal(t, models.GuardrailPolicy{Enabled: true, PolicyName: "Engineering Input Policy", AdditionalConfig: map[string]any{"pii_redaction": true}, Block: []string{"policy_violation", "injection_attack", "pii"}}, github.InputPolicy)
			echo, err := c.svc.Configs.GetServer(ctx, "support", "echo_server")
			require.NoError(t, err)
			assert.True(t, echo.InputPolicy.Enabled, "later versions' input_guardrails_config is read too")
			assert.Equal(t, "Sample Airline Guardrail", echo.InputPolicy.PolicyName)
			assert.Equal(t, []string{"/opt/mcp/echo_mcp.py"}, echo.Args)
		})
		t.Run("plugins and common config become settings", func(t *testing.T) {
			tel, err := c.svc.Settings.Telemetry(ctx)
			require.NoError(t, err)
			assert.Equal(t, models.TelemetrySettings{Enabled: true, URL: "http://otel-collector:4317", Insecure: true}, tel)
			key, err := c.svc.Settings.EnkryptAPIKey(ctx)
			require.NoError(t, err)
			assert.True(t, key.Configured)
			views, err := c.svc.Settings.List(ctx)
			require.NoError(t, err)
			keys := []string{}
			for _, v := range views {
				keys = append(keys, v.Key)
			}
			assert.ElementsMatch(t, []string{"common_mcp_gateway_config", "enkrypt_api_key", "plugins", "telemetry"}, keys)
			listed, err := json.Marshal(views)
			require.NoError(t, err)
			var doc map[string]any
			require.NoError(t, json.Unmarshal(f.data, &doc))
			providerKey := doc["plugins"].(map[string]any)["guardrails"].(map[string]any)["config"].(map[string]any)["api_key"].(string)
			assert.NotContains(t, string(listed), providerKey, "listings mask secrets")
			assert.NotContains(t, string(listed), doc["common_mcp_gateway_config"].(map[string]any)["enkrypt_api_key"].(string))
		})
		t.Run("the imported state is healthy", func(t *testing.T) {
			r, err := c.svc.System.Health(ctx, system.HealthIntegrity)
			require.NoError(t, err)
			assert.True(t, r.Healthy, "%v", r.Issues)
			assert.Empty(t, r.Warnings)
			assert.Equal(t, models.SystemStatistics{TotalProjects: 2, TotalUsers: 3, TotalConfigs: 2, TotalAPIKeys: 4, DisabledAPIKeys: 1}, r.Statistics)
		})
	})
}

func TestImportEnkryptIfEmptyImportsOnce(t *testing.T) {
	t.Parallel()
	c := newSystemCore(t)
	ctx := context.Background()
	f := loadFixture(t)
	res, imported, err := c.svc.System.ImportEnkryptIfEmpty(ctx, f.data)
	require.NoError(t, err)
	assert.True(t, imported)
	assert.Equal(t, 4, res.Counts.APIKeys)
	before := c.snapshot(t)

	_, err = c.svc.Configs.Create(ctx, "made-after-import")
	require.NoError(t, err)
	_, imported, err = c.svc.System.ImportEnkryptIfEmpty(ctx, f.data)
	require.NoError(t, err)
	assert.False(t, imported, "a store that is not empty is left alone")
	after := c.snapshot(t)
	assert.Len(t, after.Configs, len(before.Configs)+1)

	t.Run("a broken original section is an error that names the problem", func(t *testing.T) {
		fresh := newSystemCore(t)
		_, imported, err := fresh.svc.System.ImportEnkryptIfEmpty(ctx, []byte(`{"admin_apikey": "k", "users": {"U1": {"email": "not-an-email"}}}`))
		assert.False(t, imported)
		assert.Equal(t, errs.KindInvalid, errs.KindOf(err))
		assert.Contains(t, err.Error(), "single valid e-mail address")
		assert.Empty(t, fresh.snapshot(t).Users)
	})
	t.Run("a config file without the original sections imports nothing", func(t *testing.T) {
		fresh := newSystemCore(t)
		for _, file := range []string{`{"admin_apikey": "k", "host": "0.0.0.0", "port": 8001}`, `{"mcp_configs": {}, "projects": {}}`, `not json`} {
			_, imported, err := fresh.svc.System.ImportEnkryptIfEmpty(ctx, []byte(file))
			require.NoError(t, err, file)
			assert.False(t, imported, file)
		}
		assert.Empty(t, fresh.snapshot(t).Configs)
	})
}

func TestImportEnkryptRefusesToOverwriteUnlessAsked(t *testing.T) {
	t.Parallel()
	c := newSystemCore(t)
	ctx := context.Background()
	f := loadFixture(t)
	_, err := c.svc.Configs.Create(ctx, "existing")
	require.NoError(t, err)
	_, err = c.svc.System.ImportEnkrypt(ctx, "input_file", f.data, false)
	assert.Equal(t, errs.KindConflict, errs.KindOf(err))
	assert.Contains(t, err.Error(), "not empty")
	_, err = c.svc.System.ImportEnkrypt(ctx, "input_file", f.data, true)
	require.NoError(t, err)
	_, err = c.svc.Configs.Get(ctx, "existing")
	assert.Equal(t, errs.KindNotFound, errs.KindOf(err), "replace replaces")

	backup, err := os.ReadFile(fixturePath)
	require.NoError(t, err)
	res, err := c.svc.System.Backup(ctx, "ours.json", false)
	require.NoError(t, err)
	ours, err := os.ReadFile(res.Path)
	require.NoError(t, err)
	_, err = c.svc.System.ImportEnkrypt(ctx, "input_file", ours, true)
	assert.Equal(t, errs.KindInvalid, errs.KindOf(err), "a backup is restored, not imported")
	assert.NotEqual(t, backup, ours)
}

func TestImportEnkryptValidatesEverythingAndNeverShowsAKey(t *testing.T) {
	t.Parallel()
	c := newSystemCore(t)
	ctx := context.Background()
	const secret = "legacyPlaintextKeyOfTheOriginalSystem_0123456789-abcdefghij01234"
	doc := `{
	  "mcp_configs": {"UNIQUE_MCP_CONFIG_ID": {"mcp_config_name": "default_config", "mcp_config": [
	    {"server_name": "echo", "config": {"command": "python", "args": ["echo.py"]}},
	    {"server_name": "remote", "config": {"url": "https://mcp.example.com/mcp"}}]}},
	  "projects": {"UNIQUE_PROJECT_ID": {"project_name": "default_project", "mcp_config_id": "UNIQUE_MCP_CONFIG_ID",
	    "users": ["UNIQUE_USER_ID", "NOBODY"], "created_at": "yesterday"}},
	  "users": {"UNIQUE_USER_ID": {"email": "default@example.com", "created_at": "2025-01-01T00:00:00.000000"},
	            "OTHER": {"email": "DEFAULT@example.com"}},
	  "apikeys": {"` + secret + `": {"project_id": "NO_SUCH_PROJECT", "user_id": "UNIQUE_USER_ID"},
	              "short-key": {"project_id": "UNIQUE_PROJECT_ID", "user_id": "UNIQUE_USER_ID"}}
	}`
	_, err := c.svc.System.ImportEnkrypt(ctx, "input_file", []byte(doc), false)
	require.Error(t, err)
	assert.Equal(t, errs.KindInvalid, errs.KindOf(err))
	msg := err.Error()
	for _, want := range []string{
		`projects["UNIQUE_PROJECT_ID"]: created_at "yesterday" is not an ISO 8601 time`,
		`server "remote": server_command is required`,
		"refers to no user",
		"another user has the same email",
		`apikeys entry #1 (ending in "1234")`,
		"refers to no project",
	} {
		assert.Contains(t, msg, want)
	}
	assert.NotContains(t, msg, "apikeys entry #2", "a key too short to keep is imported disabled, it does not stop the import")
	assert.NotContains(t, msg, secret)
	assert.NotContains(t, msg, "short-key")
	assert.Empty(t, c.snapshot(t).Configs, "nothing was written")

	t.Run("identifiers that are not UUIDs get derived ones, consistently", func(t *testing.T) {
		ok := `{"mcp_configs": {"CFG": {"mcp_config_name": "c", "mcp_config": [{"server_name": "echo", "config": {"command": "python"}}]}},
		  "projects": {"PRJ": {"project_name": "p", "mcp_config_id": "CFG", "users": ["USR"]}},
		  "users": {"USR": {"email": "u@example.com"}},
		  "apikeys": {"` + secret + `": {"project_id": "PRJ", "user_id": "USR"}}}`
		res, err := c.svc.System.ImportEnkrypt(ctx, "input_file", []byte(ok), false)
		require.NoError(t, err)
		assert.Contains(t, strings.Join(res.Notes, "\n"), "3 identifier(s) were not UUIDs")
		k, err := c.store.APIKeys().GetByHash(ctx, keymaterial.HashAPIKeySecret(secret))
		require.NoError(t, err)
		p, err := c.store.Projects().Get(ctx, k.ProjectID)
		require.NoError(t, err)
		assert.Equal(t, "p", p.Name)
		cfg, err := c.svc.Configs.Get(ctx, p.ConfigID)
		require.NoError(t, err)
		assert.Equal(t, "c", cfg.Name)
		r, err := c.svc.System.Health(ctx, system.HealthIntegrity)
		require.NoError(t, err)
		assert.True(t, r.Healthy, "%v", r.Issues)
	})
}
