package services_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
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
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/keymaterial"
	"github.com/securemcp/gateway/services/system"
)

// systemCore is the services over a real SQLite file, with the paths tests need.
type systemCore struct {
	svc     *services.Services
	store   repositories.Store
	dataDir string
	dbPath  string
}

func newSystemCore(t *testing.T) systemCore {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "gateway.db")
	store, err := sqlstore.OpenSQLite(context.Background(), dbPath)
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	return systemCoreOver(t, store, dbPath)
}

// systemCoreOver wires the services over store (dbPath is the SQLite file, if any).
func systemCoreOver(t *testing.T, store repositories.Store, dbPath string) systemCore {
	t.Helper()
	files, err := confine.NewDataDir(filepath.Join(t.TempDir(), "data"))
	require.NoError(t, err)
	clock := func() time.Time { return time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) }
	return systemCore{svc: services.New(store, files, clock, sealing.NewEphemeralSealer()), store: store, dataDir: files.Root(), dbPath: dbPath}
}

// onEverySystemBackend runs test over a fresh core on each available backend.
func onEverySystemBackend(t *testing.T, test func(t *testing.T, c systemCore)) {
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) { test(t, systemCoreOver(t, b.Open(t), "")) })
	}
}

func (c systemCore) writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(c.dataDir, name)), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(c.dataDir, name), data, 0o600))
}

// snapshot is the whole state as a backup document with its secrets in
// clear, without its creation time.
func (c systemCore) snapshot(t *testing.T) models.BackupDocument {
	t.Helper()
	return c.backupDocument(t, true)
}

// backupDocument is the whole state as a backup document, its secrets in
// clear or sealed, without its creation time.
func (c systemCore) backupDocument(t *testing.T, includeSecrets bool) models.BackupDocument {
	t.Helper()
	name := "snapshots/" + t.Name() + ".json"
	_, err := c.svc.System.Backup(context.Background(), strings.ReplaceAll(name, "/", "_"), includeSecrets)
	require.NoError(t, err)
	data, err := os.ReadFile(filepath.Join(c.dataDir, strings.ReplaceAll(name, "/", "_")))
	require.NoError(t, err)
	var doc models.BackupDocument
	require.NoError(t, json.Unmarshal(data, &doc))
	doc.CreatedAt = time.Time{}
	return doc
}

var (
	projectID = "5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11"
	userIDs   = []string{"0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"}
	keyID     = "40000000-0000-4000-8000-000000000001"
)

// seedState fills the store with one of everything, linked, with distinct
// times and optional fields set, so that a round trip can lose nothing unseen.
func seedState(t *testing.T, c systemCore) {
	t.Helper()
	ctx := context.Background()
	cfg, err := c.svc.Configs.Create(ctx, "engineering")
	require.NoError(t, err)
	srv := server("github")
	srv.Env = map[string]string{"TOKEN": "x"}
	srv.Tools = map[string]any{"search": map[string]any{"description": "search code"}}
	srv.InputPolicy = models.GuardrailPolicy{Enabled: true, PolicyName: "strict", AdditionalConfig: map[string]any{"pii_redaction": true}, Block: []string{"pii"}}
	_, err = c.svc.Configs.AddServer(ctx, "engineering", srv)
	require.NoError(t, err)
	_, err = c.svc.Configs.AddServer(ctx, "engineering", server("slack"))
	require.NoError(t, err)
	_, err = c.svc.Configs.Create(ctx, "unused")
	require.NoError(t, err)
	base := time.Date(2026, 2, 3, 4, 5, 6, 789000000, time.UTC)
	at := func(i int) time.Time { return base.Add(time.Duration(i) * time.Minute) }
	p := models.Project{ID: projectID, Name: "platform", ConfigID: cfg.ID, CreatedAt: at(1), UpdatedAt: at(2)}
	require.NoError(t, c.store.Projects().Create(ctx, p))
	require.NoError(t, c.store.Projects().Create(ctx, models.Project{ID: "6f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e12", Name: "idle", CreatedAt: at(3), UpdatedAt: at(3)}))
	for i, email := range []string{"alice@example.com", "bob@example.com"} {
		require.NoError(t, c.store.Users().Create(ctx, models.User{ID: userIDs[i], Email: email, CreatedAt: at(4 + i), UpdatedAt: at(6 + i)}))
	}
	// Bob joins first: member order is not user order.
	require.NoError(t, c.store.Memberships().Add(ctx, models.Membership{ProjectID: projectID, UserID: userIDs[1], CreatedAt: at(8)}))
	require.NoError(t, c.store.Memberships().Add(ctx, models.Membership{ProjectID: projectID, UserID: userIDs[0], CreatedAt: at(9)}))
	disabledAt, expires, used, prevExp := at(11), at(100), at(12), at(13)
	require.NoError(t, c.store.APIKeys().Create(ctx, models.APIKey{ID: keyID, Hash: keymaterial.HashAPIKeySecret("secret-one"),
		Last4: "-one", UserID: userIDs[0], ProjectID: projectID, CreatedAt: at(10), Disabled: true, DisabledAt: &disabledAt,
		ExpiresAt: &expires, LastUsedAt: &used, PreviousHash: keymaterial.HashAPIKeySecret("secret-zero"), PreviousExpiresAt: &prevExp, RotatedAt: &used}))
	require.NoError(t, c.store.APIKeys().Create(ctx, models.APIKey{ID: "40000000-0000-4000-8000-000000000002",
		Hash: keymaterial.HashAPIKeySecret("secret-two"), Last4: "-two", UserID: userIDs[1], ProjectID: projectID, CreatedAt: at(14)}))
	_, err = c.svc.Settings.SetEnkryptAPIKey(ctx, "ek-0123456789abcdef")
	require.NoError(t, err)
	on := true
	_, err = c.svc.Settings.UpdateTelemetry(ctx, system.TelemetryPatch{Enabled: &on})
	require.NoError(t, err)
}

func TestBackupChangeRestoreReturnsTheSnapshot(t *testing.T) {
	t.Parallel()
	onEverySystemBackend(t, func(t *testing.T, c systemCore) {
		ctx := context.Background()
		seedState(t, c)
		before := c.snapshot(t)
		require.Len(t, before.Configs, 2)
		require.Len(t, before.Projects[0].Members, 2)
		assert.Equal(t, userIDs[1], before.Projects[0].Members[0].UserID, "member order is kept")

		res, err := c.svc.System.Backup(ctx, "backups/full.json", false)
		require.NoError(t, err)
		assert.Equal(t, models.BackupCounts{Configs: 2, Servers: 2, Projects: 2, Users: 2, Memberships: 2, APIKeys: 2, Settings: 2}, res.Counts)
		info, err := os.Stat(res.Path)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
		assert.EqualValues(t, res.Bytes, info.Size())

		// Change everything: delete, add, rename.
		_, err = c.svc.Configs.Create(ctx, "added-later")
		require.NoError(t, err)
		_, err = c.svc.Configs.Rename(ctx, "unused", "renamed")
		require.NoError(t, err)
		require.NoError(t, c.store.APIKeys().Delete(ctx, keyID))
		require.NoError(t, c.store.Memberships().Remove(ctx, projectID, userIDs[1]))
		_, err = c.svc.Settings.SetEnkryptAPIKey(ctx, "ek-changed-0000000000")
		require.NoError(t, err)
		require.NotEqual(t, before, c.snapshot(t))

		restored, err := c.svc.System.Restore(ctx, "input_file", "backups/full.json")
		require.NoError(t, err)
		assert.Equal(t, system.FormatBackup, restored.SourceFormat)
		assert.Equal(t, res.SHA256, restored.SHA256)
		assert.Equal(t, res.Counts, restored.Counts)
		assert.Equal(t, before, c.snapshot(t), "restore gives back exactly the backed-up state")

		// Listings keep creation order after a restore.
		users, _ := c.store.Memberships().ListByUser(ctx, userIDs[1])
		require.Len(t, users, 1)
		configs, _, err := c.store.Configs().List(ctx, repositories.Page{})
		require.NoError(t, err)
		assert.Equal(t, "engineering", configs[0].Name)
	})
}

func TestBackupHoldsHashesNeverSecrets(t *testing.T) {
	t.Parallel()
	c := newSystemCore(t)
	seedState(t, c)
	res, err := c.svc.System.Backup(context.Background(), "b.json", false)
	require.NoError(t, err)
	data, err := os.ReadFile(res.Path)
	require.NoError(t, err)
	for _, secret := range []string{"secret-one", "secret-two", "secret-zero"} {
		assert.NotContains(t, string(data), secret)
	}
	assert.Contains(t, string(data), keymaterial.HashAPIKeySecret("secret-one"))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	assert.Equal(t, models.BackupFormat, doc["format"])
	assert.EqualValues(t, 1, doc["schema_version"])
}

// A bad document changes nothing, and the error names what is wrong.
func TestRestoreRefusesBadDocumentsAndChangesNothing(t *testing.T) {
	t.Parallel()
	onEverySystemBackend(t, func(t *testing.T, c systemCore) {
		ctx := context.Background()
		seedState(t, c)
		res, err := c.svc.System.Backup(ctx, "good.json", false)
		require.NoError(t, err)
		good, err := os.ReadFile(res.Path)
		require.NoError(t, err)
		before := c.snapshot(t)

		// hostile edits a decoded copy of the good backup.
		hostile := func(edit func(doc map[string]any)) []byte {
			var doc map[string]any
			require.NoError(t, json.Unmarshal(good, &doc))
			edit(doc)
			out, err := json.Marshal(doc)
			require.NoError(t, err)
			return out
		}
		list := func(doc map[string]any, key string) []any { return doc[key].([]any) }
		obj := func(v any) map[string]any { return v.(map[string]any) }

		cases := []struct {
			name   string
			data   []byte
			issues []string
		}{
			{"corrupt", []byte(`{"format": "secure-mcp-gateway-backup", "configs": [}`), []string{"not a valid JSON document"}},
			{"truncated", good[:len(good)/2], []string{"not a valid JSON document", "unexpected end of JSON input"}},
			{"empty", []byte(``), []string{"not a valid JSON document"}},
			{"not an object", []byte(`[1, 2]`), []string{"input_file must be a JSON object, not array"}},
			{"unknown format", []byte(`{"hello": "world"}`), []string{"neither a backup"}},
			{"wrong format name", hostile(func(d map[string]any) { d["format"] = "something-else" }), []string{`format must be "secure-mcp-gateway-backup"`}},
			{"future schema", hostile(func(d map[string]any) { d["schema_version"] = 7 }), []string{"schema_version 7 is not supported"}},
			{"wrong type", hostile(func(d map[string]any) { obj(list(d, "users")[0])["email"] = 42 }), []string{"users.email", "string"}},
			{"reference to nothing", hostile(func(d map[string]any) {
				obj(list(d, "projects")[0])["mcp_config_id"] = "99999999-9999-4999-8999-999999999999"
				obj(list(d, "api_keys")[0])["user_id"] = "88888888-8888-4888-8888-888888888888"
			}), []string{`mcp_config_id "99999999-9999-4999-8999-999999999999" refers to no configuration`, `user_id "88888888-8888-4888-8888-888888888888" refers to no user`}},
			{"member that does not exist", hostile(func(d map[string]any) {
				obj(obj(list(d, "projects")[0])["members"].([]any)[0])["user_id"] = "77777777-7777-4777-8777-777777777777"
			}), []string{`user_id "77777777-7777-4777-8777-777777777777" refers to no user`}},
			{"duplicate e-mails differing in case", hostile(func(d map[string]any) { obj(list(d, "users")[1])["email"] = "ALICE@example.com" }), []string{"same email"}},
			{"duplicate ids", hostile(func(d map[string]any) {
				obj(list(d, "users")[1])["user_id"] = userIDs[0]
				obj(list(d, "configs")[1])["mcp_config_id"] = obj(list(d, "configs")[0])["mcp_config_id"]
			}), []string{"user_id \"" + userIDs[0] + "\" appears more than once", "mcp_config_id"}},
			{"duplicate key hashes", hostile(func(d map[string]any) { obj(list(d, "api_keys")[1])["hash"] = obj(list(d, "api_keys")[0])["hash"] }), []string{"hash is also the hash of another key"}},
			{"bad names and ids", hostile(func(d map[string]any) {
				obj(list(d, "configs")[0])["mcp_config_name"] = "../etc/passwd"
				obj(list(d, "projects")[0])["project_name"] = "bell\u0007"
				obj(list(d, "api_keys")[0])["key_id"] = "not-a-uuid"
				obj(list(d, "users")[0])["email"] = "not an email"
			}), []string{"mcp_config_name must not contain '/'", "project_name must not contain control characters", `key_id "not-a-uuid" is not a UUID`, "single valid e-mail address"}},
			{"missing required fields", hostile(func(d map[string]any) {
				delete(obj(list(d, "users")[0]), "created_at")
				delete(obj(list(d, "settings")[0]), "value")
				obj(obj(list(d, "configs")[0])["servers"].([]any)[0])["config"] = map[string]any{"command": ""}
			}), []string{"created_at is required", "value is required", "server_command is required"}},
			{"times beyond the storable range", hostile(func(d map[string]any) {
				obj(list(d, "users")[0])["created_at"] = "2300-01-01T00:00:00Z"
				obj(list(d, "api_keys")[0])["expires_at"] = "1600-01-01T00:00:00Z"
			}), []string{"created_at must lie between 1678-01-01 and 2262-04-11", "expires_at must lie between"}},
			{"bad telemetry setting", hostile(func(d map[string]any) {
				for _, s := range list(d, "settings") {
					if obj(s)["key"] == "telemetry" {
						obj(s)["value"] = map[string]any{"url": "file:///etc/passwd"}
					}
				}
			}), []string{"http or https URL"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c.writeFile(t, "bad.json", tc.data)
				_, err := c.svc.System.Restore(ctx, "input_file", "bad.json")
				require.Error(t, err)
				assert.Equal(t, errs.KindInvalid, errs.KindOf(err), "%v", err)
				for _, want := range tc.issues {
					assert.Contains(t, err.Error(), want)
				}
				assert.Equal(t, before, c.snapshot(t), "a refused restore changes nothing")
			})
		}
		t.Run("path escapes", func(t *testing.T) {
			for _, name := range []string{"../gateway.db", "/etc/passwd", "a/../../x.json", ""} {
				_, err := c.svc.System.Restore(ctx, "input_file", name)
				assert.Equal(t, errs.KindInvalid, errs.KindOf(err), name)
			}
			_, err := c.svc.System.Restore(ctx, "backup_file", "missing.json")
			assert.Equal(t, errs.KindNotFound, errs.KindOf(err))
			assert.Contains(t, err.Error(), "backup_file")
			assert.Equal(t, before, c.snapshot(t))
		})
	})
}

func TestResetEmptiesTheStore(t *testing.T) {
	t.Parallel()
	onEverySystemBackend(t, func(t *testing.T, c systemCore) {
		ctx := context.Background()
		seedState(t, c)
		_, err := c.svc.System.Reset(ctx, false)
		assert.Equal(t, errs.KindInvalid, errs.KindOf(err))
		assert.Contains(t, err.Error(), "confirm")
		res, err := c.svc.System.Reset(ctx, true)
		require.NoError(t, err)
		assert.Equal(t, models.BackupCounts{Configs: 2, Servers: 2, Projects: 2, Users: 2, Memberships: 2, APIKeys: 2, Settings: 2}, res.Deleted)
		doc := c.snapshot(t)
		assert.Empty(t, doc.Configs)
		assert.Empty(t, doc.Users)
		assert.Empty(t, doc.Settings)
		tel, err := c.svc.Settings.Telemetry(ctx)
		require.NoError(t, err)
		assert.Equal(t, system.DefaultTelemetry(), tel, "settings return to their defaults")
	})
}

func TestHealthReportsIntegrity(t *testing.T) {
	t.Parallel()
	c := newSystemCore(t)
	ctx := context.Background()
	r, err := c.svc.System.Health(ctx, system.HealthIntegrity)
	require.NoError(t, err)
	assert.True(t, r.Healthy)
	assert.Equal(t, []string{}, r.Issues)
	assert.Equal(t, "sqlite", r.Store)

	seedState(t, c)
	r, err = c.svc.System.Health(ctx, system.HealthIntegrity)
	require.NoError(t, err)
	assert.True(t, r.Healthy, "%v", r.Issues)
	assert.Equal(t, models.SystemStatistics{TotalProjects: 2, TotalUsers: 2, TotalConfigs: 2, TotalAPIKeys: 2, DisabledAPIKeys: 1}, r.Statistics)

	t.Run("duplicate e-mails differing in case", func(t *testing.T) {
		// The service lowercases e-mails; a raw repository insert (as an old
		// database might hold) does not.
		require.NoError(t, c.store.Users().Create(ctx, models.User{ID: "2a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", Email: "Alice@Example.com", CreatedAt: time.Now(), UpdatedAt: time.Now()}))
		r, err := c.svc.System.Health(ctx, system.HealthIntegrity)
		require.NoError(t, err)
		assert.False(t, r.Healthy)
		joined := strings.Join(r.Issues, "\n")
		assert.Contains(t, joined, `user "Alice@Example.com": email is not stored in canonical form`)
		assert.Contains(t, joined, `users "alice@example.com" and "Alice@Example.com": another user has the same email`)
	})
	t.Run("warnings", func(t *testing.T) {
		_, err := c.svc.Configs.Create(ctx, "ENGINEERING")
		require.NoError(t, err)
		require.NoError(t, c.store.Memberships().Remove(ctx, projectID, userIDs[1]))
		r, err := c.svc.System.Health(ctx, system.HealthIntegrity)
		require.NoError(t, err)
		joined := strings.Join(r.Warnings, "\n")
		assert.Contains(t, joined, `configurations "engineering" and "ENGINEERING" differ only in case`)
		assert.Contains(t, joined, `its user is not a member of project "platform"`)
	})
}

// Foreign keys make dangling references impossible through the repositories;
// they can only come from a database written with foreign keys off (an old or
// hand-edited file). The test writes one that way.
func TestHealthReportsDanglingReferences(t *testing.T) {
	t.Parallel()
	c := newSystemCore(t)
	ctx := context.Background()
	seedState(t, c)
	raw, err := sql.Open("sqlite", "file:"+c.dbPath+"?_pragma=foreign_keys(0)&_pragma=busy_timeout(5000)")
	require.NoError(t, err)
	defer raw.Close()
	_, err = raw.ExecContext(ctx, `UPDATE projects SET config_id = '99999999-9999-4999-8999-999999999999' WHERE id = ?`, projectID)
	require.NoError(t, err)
	_, err = raw.ExecContext(ctx, `INSERT INTO memberships (project_id, user_id, created_at) VALUES (?, '88888888-8888-4888-8888-888888888888', 1)`, projectID)
	require.NoError(t, err)
	r, err := c.svc.System.Health(ctx, system.HealthIntegrity)
	require.NoError(t, err)
	assert.False(t, r.Healthy)
	joined := strings.Join(r.Issues, "\n")
	assert.Contains(t, joined, `project "platform": mcp_config_id "99999999-9999-4999-8999-999999999999" refers to no configuration`)
	assert.Contains(t, joined, `membership (project "`+projectID+`", user "88888888-8888-4888-8888-888888888888"): user_id "88888888-8888-4888-8888-888888888888" refers to no user`)
}

// unreachable is a store whose database is gone.
type unreachable struct{ repositories.Store }

func (unreachable) Ping(context.Context) error { return sql.ErrConnDone }

func TestHealthUnavailableWhenTheStoreCannotBeReached(t *testing.T) {
	t.Parallel()
	c := newSystemCore(t)
	files, err := confine.NewDataDir(c.dataDir)
	require.NoError(t, err)
	svc := services.New(unreachable{c.store}, files, entity.SystemClock, sealing.NewEphemeralSealer())
	_, err = svc.System.Health(context.Background(), system.HealthCounts)
	assert.Equal(t, errs.KindUnavailable, errs.KindOf(err))
}
