package services_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/access"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/keymaterial"
	"github.com/securemcp/gateway/services/system"
)

// The original system's own files: what its generate-config writes, and the
// example its setup scripts copy (with the placeholder key they then replace).
const (
	generatedPath = "../testdata/enkrypt_generate_config.json"
	examplePath   = "../testdata/example_enkrypt_mcp_config.json"
)

// originalKey is a key as the original system's generate-config and key
// commands make them: 36 random bytes in URL-safe base64, unpadded (48 characters).
func originalKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, 36)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// setupScriptKey is a key as the original's setup.sh makes them: openssl rand
// -base64 64, with + / - turned into _ and the padding removed (86 characters).
func setupScriptKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, 64)
	_, _ = rand.Read(b)
	return strings.NewReplacer("+", "_", "/", "_", "-", "_", "=", "").Replace(base64.StdEncoding.EncodeToString(b))
}

// keyEntry is one member of an apikeys section.
type keyEntry struct {
	secret string
	record string // the JSON record, as the original's commands write it
}

// withKeys is a config file of the original system with its apikeys section
// replaced by entries, in that order.
func withKeys(t *testing.T, path string, entries ...keyEntry) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &top))
	var b strings.Builder
	b.WriteString("{")
	for i, e := range entries {
		if i > 0 {
			b.WriteString(",")
		}
		name, err := json.Marshal(e.secret)
		require.NoError(t, err)
		fmt.Fprintf(&b, "%s: %s", name, e.record)
	}
	b.WriteString("}")
	top["apikeys"] = json.RawMessage(b.String())
	out, err := json.Marshal(top)
	require.NoError(t, err)
	return out
}

// fileIDs reads the file's one project and user ids (both fixtures have one each).
func fileIDs(t *testing.T, path string) (projectID, userID string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc struct {
		Projects map[string]json.RawMessage `json:"projects"`
		Users    map[string]json.RawMessage `json:"users"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	require.Len(t, doc.Projects, 1)
	require.Len(t, doc.Users, 1)
	for id := range doc.Projects {
		projectID = id
	}
	for id := range doc.Users {
		userID = id
	}
	return projectID, userID
}

func TestImportKeepsEveryKeyTheOriginalCouldHaveStored(t *testing.T) {
	t.Parallel()
	onEverySystemBackend(t, func(t *testing.T, c systemCore) {
		ctx := context.Background()
		projectID, userID := fileIDs(t, generatedPath)
		rec := func(extra string) string {
			return fmt.Sprintf(`{"project_id": %q, "user_id": %q, "created_at": "2025-06-01T09:30:00.123456"%s}`, projectID, userID, extra)
		}
		generated, rotatedFrom := originalKey(t), originalKey(t)
		good := []string{
			generated,         // user generate-api-key
			originalKey(t),    // rotate-api-key, which keeps the old key in rotated_from
			setupScriptKey(t), // setup.sh
			"Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4+/9Qm8=", // standard base64 pasted by hand
		}
		weak := map[string]string{
			"UNIQUE_GATEWAY_KEY":    "placeholder",
			"abc":                   "fewer than 32 characters",
			strings.Repeat("a", 48): "fewer than 8 different characters",
			"":                      "empty",
			"my gateway key with spaces in it, long enough": "spaces",
		}
		entries := []keyEntry{{good[0], rec("")}, {good[1], rec(fmt.Sprintf(`, "rotated_from": %q`, rotatedFrom))},
			{"UNIQUE_GATEWAY_KEY", rec("")}, {good[2], rec("")}, {"abc", rec(`, "disabled": true, "disabled_at": "2025-07-01T00:00:00"`)},
			{strings.Repeat("a", 48), rec("")}, {good[3], rec(`, "disabled": true, "disabled_at": "2025-07-02T00:00:00"`)},
			{"", rec("")}, {"my gateway key with spaces in it, long enough", rec("")}}
		data := withKeys(t, generatedPath, entries...)

		res, err := c.svc.System.ImportEnkrypt(ctx, "input_file", data, false)
		require.NoError(t, err, "one doubtful key never stops the import")
		assert.Equal(t, len(entries), res.Counts.APIKeys, "every record is imported")
		notes := strings.Join(res.Notes, "\n")
		out, err := json.Marshal(res)
		require.NoError(t, err)
		backup := c.snapshot(t)
		stored, err := json.Marshal(backup)
		require.NoError(t, err)
		for _, secret := range append(append([]string{rotatedFrom}, good...), "UNIQUE_GATEWAY_KEY", strings.Repeat("a", 48)) {
			assert.NotContains(t, string(out), secret, "no secret in the result or its notes")
			assert.NotContains(t, string(stored), secret, "no secret stored")
		}
		for _, n := range []int{3, 5, 6, 8, 9} {
			assert.Contains(t, notes, fmt.Sprintf("apikeys entry #%d: the key is imported disabled", n))
		}
		for _, n := range []int{1, 2, 4, 7} {
			assert.NotContains(t, notes, fmt.Sprintf("apikeys entry #%d:", n))
		}
		for _, reason := range weak {
			assert.Contains(t, notes, reason)
		}

		t.Run("well-formed keys verify with their old secrets", func(t *testing.T) {
			for i, secret := range good {
				_, err := c.svc.APIKeys.Verify(ctx, secret)
				if i == 3 {
					assert.Equal(t, access.ReasonDisabled, access.RefusalReason(err), "disabled in the file, disabled here")
					continue
				}
				require.NoError(t, err, "key #%d (%d characters)", i, len(secret))
			}
			_, err := c.svc.APIKeys.Verify(ctx, rotatedFrom)
			assert.Equal(t, access.ReasonUnknown, access.RefusalReason(err), "a rotated-away key stays rotated away")
		})
		t.Run("keys too guessable to keep are disabled, with their reason, and no trace of the secret", func(t *testing.T) {
			views, err := collectKeys(ctx, c.svc)
			require.NoError(t, err)
			var weakViews []access.KeyView
			for _, v := range views {
				if v.DisabledReason != "" {
					weakViews = append(weakViews, v)
				}
			}
			require.Len(t, weakViews, len(weak))
			for _, v := range weakViews {
				assert.True(t, v.Disabled)
				assert.NotNil(t, v.DisabledAt)
				assert.Equal(t, access.ReasonWeakSecret, v.Inactive)
				assert.Contains(t, notes, v.ID, "the note names the key by its id")
			}
			assert.Equal(t, "…_KEY", weakViews[0].Masked, "a long enough placeholder shows its end")
			assert.Equal(t, "…****", weakViews[1].Masked, "a short secret shows nothing")
			assert.Equal(t, "2025-07-01T00:00:00Z", weakViews[1].DisabledAt.Format("2006-01-02T15:04:05Z07:00"), "disabled in the file: its time is kept")
			for secret := range weak {
				_, err := c.store.APIKeys().GetByHash(ctx, keymaterial.HashAPIKeySecret(secret))
				assert.ErrorIs(t, err, repositories.ErrNotFound, "not even the hash of %q is kept", secret)
				_, err = c.svc.APIKeys.Verify(ctx, secret)
				assert.Equal(t, access.ReasonMalformed, access.RefusalReason(err), "refused before any lookup")
			}
			r, err := c.svc.System.Health(ctx, system.HealthIntegrity)
			require.NoError(t, err)
			assert.True(t, r.Healthy, "%v", r.Issues)
			assert.Len(t, r.Warnings, len(weak), "each asks for a rotation")
			assert.Equal(t, len(weak)+1, r.Statistics.DisabledAPIKeys)
		})
		t.Run("such a key is enabled only after a rotation gives it a secret", func(t *testing.T) {
			views, err := collectKeys(ctx, c.svc)
			require.NoError(t, err)
			var id string
			for _, v := range views {
				if v.DisabledReason != "" {
					id = v.ID
					break
				}
			}
			_, err = c.svc.APIKeys.Enable(ctx, id)
			assert.Equal(t, errs.KindConflict, errs.KindOf(err))
			assert.Contains(t, err.Error(), "rotate it")
			rotated, err := c.svc.APIKeys.Rotate(ctx, id, 3600)
			require.NoError(t, err)
			assert.Nil(t, rotated.Key.PreviousExpiresAt, "no old secret to keep for a grace period")
			_, err = c.svc.APIKeys.Verify(ctx, rotated.Secret)
			assert.Equal(t, access.ReasonDisabled, access.RefusalReason(err), "still disabled after the rotation")
			v, err := c.svc.APIKeys.Enable(ctx, id)
			require.NoError(t, err)
			assert.Empty(t, v.Inactive)
			_, err = c.svc.APIKeys.Verify(ctx, rotated.Secret)
			require.NoError(t, err)
		})
	})
}

func TestImportOfTheOriginalsOwnFiles(t *testing.T) {
	t.Parallel()
	onEverySystemBackend(t, func(t *testing.T, c systemCore) {
		ctx := context.Background()
		t.Run("generate-config output: its 48-character key verifies", func(t *testing.T) {
			data, err := os.ReadFile(generatedPath)
			require.NoError(t, err)
			var doc struct {
				APIKeys map[string]json.RawMessage `json:"apikeys"`
			}
			require.NoError(t, json.Unmarshal(data, &doc))
			require.Len(t, doc.APIKeys, 1)
			res, err := c.svc.System.ImportEnkrypt(ctx, "input_file", data, true)
			require.NoError(t, err)
			assert.Equal(t, models.BackupCounts{Configs: 1, Servers: 1, Projects: 1, Users: 1, Memberships: 1, APIKeys: 1, Settings: 3}, res.Counts)
			for secret := range doc.APIKeys {
				require.Len(t, secret, 48)
				v, err := c.svc.APIKeys.Verify(ctx, secret)
				require.NoError(t, err)
				assert.Equal(t, "default@example.com", v.User.Email)
				assert.Equal(t, "default_config", v.Config.Name)
			}
		})
		t.Run("the example file restores, its placeholder key disabled", func(t *testing.T) {
			data, err := os.ReadFile(examplePath)
			require.NoError(t, err)
			c.writeFile(t, "example_enkrypt_mcp_config.json", data)
			res, err := c.svc.System.Restore(ctx, "input_file", "example_enkrypt_mcp_config.json")
			require.NoError(t, err)
			assert.Equal(t, system.FormatEnkrypt, res.SourceFormat)
			assert.Equal(t, 1, res.Counts.APIKeys)
			assert.Contains(t, strings.Join(res.Notes, "\n"), "apikeys entry #1: the key is imported disabled")
			views, err := collectKeys(ctx, c.svc)
			require.NoError(t, err)
			require.Len(t, views, 1)
			assert.Equal(t, access.ReasonWeakSecret, views[0].Inactive)
			assert.Equal(t, "default@example.com", views[0].UserEmail)
			assert.Equal(t, "default_project", views[0].ProjectName)
			_, err = c.svc.APIKeys.Verify(ctx, "UNIQUE_GATEWAY_KEY")
			assert.Equal(t, access.ReasonMalformed, access.RefusalReason(err))

			t.Run("and a backup of it restores with the reason", func(t *testing.T) {
				_, err := c.svc.System.Backup(ctx, "after-import.json", false)
				require.NoError(t, err)
				_, err = c.svc.System.Reset(ctx, true)
				require.NoError(t, err)
				_, err = c.svc.System.Restore(ctx, "input_file", "after-import.json")
				require.NoError(t, err)
				views, err := collectKeys(ctx, c.svc)
				require.NoError(t, err)
				require.Len(t, views, 1)
				assert.Equal(t, models.DisabledWeakSecret, views[0].DisabledReason)
				assert.Equal(t, access.ReasonWeakSecret, views[0].Inactive)
			})
		})
	})
}

func TestRestoreChecksTheDisabledReason(t *testing.T) {
	t.Parallel()
	c := newSystemCore(t)
	ctx := context.Background()
	seedState(t, c)
	doc := c.snapshot(t)
	require.NotEmpty(t, doc.APIKeys)
	for name, tc := range map[string]struct {
		disabled bool
		reason   string
		issue    string
	}{
		"unknown reason":       {true, "lost", `disabled_reason must be "weak_secret" or absent`},
		"reason of an enabled": {false, models.DisabledWeakSecret, "disabled_reason is given but the key is not disabled"},
	} {
		t.Run(name, func(t *testing.T) {
			bad := doc
			bad.APIKeys = append([]models.BackupAPIKey(nil), doc.APIKeys...)
			bad.APIKeys[0].Disabled, bad.APIKeys[0].DisabledReason = tc.disabled, tc.reason
			data, err := json.Marshal(bad)
			require.NoError(t, err)
			_, err = c.svc.System.RestoreData(ctx, "input_file", data)
			assert.Equal(t, errs.KindInvalid, errs.KindOf(err))
			assert.Contains(t, err.Error(), tc.issue)
		})
	}
}

// collectKeys reads every key's view.
func collectKeys(ctx context.Context, svc *services.Services) ([]access.KeyView, error) {
	listing, err := svc.APIKeys.List(ctx, repositories.Page{})
	if err != nil {
		return nil, err
	}
	return listing.Collect(ctx)
}
