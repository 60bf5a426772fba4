package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories/sqlstore"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
)

// plantedSecrets are fresh secrets of each kind the store seals.
type plantedSecrets struct {
	envToken, oauthSecret, providerKey string
}

func newPlantedSecrets(t *testing.T) plantedSecrets {
	t.Helper()
	random := func() string {
		b := make([]byte, 18)
		_, err := rand.Read(b)
		require.NoError(t, err)
		return hex.EncodeToString(b)
	}
	return plantedSecrets{envToken: "ghp_" + random(), oauthSecret: "oauth-" + random(), providerKey: "ek-" + random()}
}

func (p plantedSecrets) all() []string { return []string{p.envToken, p.oauthSecret, p.providerKey} }

// rawCall sends an admin request and returns the status and the raw body.
func (s *server) rawCall(method, path, key string, body any) (int, []byte) {
	s.t.Helper()
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		require.NoError(s.t, err)
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.base+path, reader)
	require.NoError(s.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(s.t, err)
	return res.StatusCode, data
}

// TestPlantedSecretsAreFoundNowhereButInTheUpstream plants an env token, an
// oauth_config secret and the guardrails provider key through the API, then
// searches the store's files (SQLite with its journal) or a pg_dump of the
// PostgreSQL schema, every answer of the main routes, the server's whole
// log and a backup file: none holds any of them. The upstream started by
// the gateway still gets the real env value.
func TestPlantedSecretsAreFoundNowhereButInTheUpstream(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); testPlantedSecrets(t, "") })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); testPlantedSecrets(t, sqltest.NewPostgresURL(t)) })
}

func testPlantedSecrets(t *testing.T, databaseURL string) {
	home := t.TempDir()
	const admin = "e2e-admin-key-0123456789abcdef0123456789"
	env := []string{"SMG_ADMIN_API_KEY=" + admin}
	if databaseURL != "" {
		env = append(env, "SMG_DATABASE_URL="+databaseURL)
	}
	g := startGateway(t, home, env...)
	g.key = admin
	secrets := newPlantedSecrets(t)

	var bodies []string
	call := func(want int, method, path string, body any) []byte {
		t.Helper()
		status, raw := g.rawCall(method, path, admin, body)
		require.Equal(t, want, status, "%s %s: %s", method, path, raw)
		bodies = append(bodies, method+" "+path+": "+string(raw))
		return raw
	}
	server := map[string]any{"server_name": "tester", "server_command": testUpstream(t), "args": []string{"serve"},
		"env":          map[string]string{"GITHUB_TOKEN": secrets.envToken, "PLAIN": "visible"},
		"oauth_config": map[string]any{"OAUTH_CLIENT_ID": "client", "OAUTH_CLIENT_SECRET": secrets.oauthSecret}}
	key := g.quickStart(server)
	call(http.StatusOK, "PUT", "/api/v1/settings/enkrypt-api-key", map[string]string{"api_key": secrets.providerKey})

	detail := call(http.StatusOK, "GET", "/api/v1/configs/my-config/servers/tester", nil)
	var shown struct {
		Data struct {
			Config struct {
				Env map[string]string `json:"env"`
			} `json:"config"`
			OAuth map[string]any `json:"oauth_config"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(detail, &shown))
	assert.Equal(t, "ghp_…"+secrets.envToken[len(secrets.envToken)-4:], shown.Data.Config.Env["GITHUB_TOKEN"], "masked with its prefix")

	// A client that sends back what it was shown keeps the stored values.
	call(http.StatusOK, "PUT", "/api/v1/configs/my-config/servers/tester", map[string]any{
		"env": shown.Data.Config.Env, "oauth_config": shown.Data.OAuth, "description": "edited"})
	status, _ := g.rawCall("PUT", "/api/v1/configs/my-config/servers/tester", admin,
		map[string]any{"env": map[string]string{"GITHUB_TOKEN": "smgsealed:v1:000000000000:AAAA"}})
	assert.Equal(t, http.StatusBadRequest, status, "a token sent by a client is refused")

	for _, path := range []string{"/api/v1/configs", "/api/v1/configs/my-config", "/api/v1/configs/my-config/servers",
		"/api/v1/projects/my-project/config", "/api/v1/settings", "/api/v1/settings/enkrypt-api-key", "/api/v1/gateway/status"} {
		call(http.StatusOK, "GET", path, nil)
	}
	call(http.StatusOK, "POST", "/api/v1/configs/my-config/export", map[string]string{"output_file": "export.json"})
	call(http.StatusOK, "POST", "/api/v1/projects/my-project/export", map[string]string{"output_file": "project.json"})
	call(http.StatusOK, "POST", "/api/v1/configs/search", map[string]string{"search_term": "tester"})
	call(http.StatusOK, "POST", "/api/v1/system/backup", map[string]string{"output_file": "backup.json"})
	call(http.StatusCreated, "POST", "/api/v1/configs/import", map[string]string{"config_name": "imported", "input_file": "export.json"})
	call(http.StatusCreated, "POST", "/api/v1/configs/copy", map[string]string{"source_config": "my-config", "target_config": "copied"})
	call(http.StatusOK, "GET", "/api/v1/configs/copied/servers/tester", nil)

	// The gateway starts the upstream with the real value, from the
	// original configuration and from its copy (sealed anew for its place).
	session, err := mcpSession(t, g.mcpURL, key)
	require.NoError(t, err)
	res, err := session.CallTool(context.Background(), &mcp.CallToolParams{Name: "tester__env"})
	require.NoError(t, err)
	upstreamEnv := toolText(t, res)
	assert.Contains(t, upstreamEnv, "GITHUB_TOKEN="+secrets.envToken)
	assert.Contains(t, upstreamEnv, "PLAIN=visible")
	call(http.StatusOK, "POST", "/api/v1/projects/my-project/assign-config", map[string]string{"config_name": "copied"})
	res, err = session.CallTool(context.Background(), &mcp.CallToolParams{Name: "tester__env"})
	require.NoError(t, err)
	assert.Contains(t, toolText(t, res), "GITHUB_TOKEN="+secrets.envToken, "the copy opens at its new place")

	require.NoError(t, g.stop())

	dataDir := filepath.Join(home, ".enkrypt")
	places := map[string]string{"the server's log": g.logs.String(), "the answers": strings.Join(bodies, "\n")}
	for _, name := range []string{"backup.json", "export.json", "project.json"} {
		data, err := os.ReadFile(filepath.Join(dataDir, name))
		require.NoError(t, err)
		places[name] = string(data)
		assert.Contains(t, string(data), "smgsealed:v1:", "%s holds the secrets sealed", name)
	}
	if databaseURL == "" {
		for _, name := range []string{"gateway.db", "gateway.db-wal", "gateway.db-shm"} {
			data, err := os.ReadFile(filepath.Join(dataDir, name))
			if os.IsNotExist(err) {
				continue // checkpointed and removed at close
			}
			require.NoError(t, err)
			places[name] = string(data)
		}
		require.Contains(t, places, "gateway.db")
	} else {
		places["pg_dump"] = pgDump(t, databaseURL)
	}
	for where, text := range places {
		for _, secret := range secrets.all() {
			assert.NotContains(t, text, secret, "a planted secret is in %s", where)
		}
	}

	// The key file was generated private, beside the config file.
	info, err := os.Stat(filepath.Join(dataDir, "secret.key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}

// pgDump dumps the schema of a test database URL (its search_path), or skips
// loudly when pg_dump is not installed.
func pgDump(t *testing.T, databaseURL string) string {
	t.Helper()
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		t.Skip("pg_dump is not installed: the PostgreSQL store's dump is not searched")
	}
	u, err := url.Parse(databaseURL)
	require.NoError(t, err)
	q := u.Query()
	schema := q.Get("search_path")
	require.NotEmpty(t, schema)
	q.Del("search_path")
	u.RawQuery = q.Encode()
	out, err := exec.Command(bin, "--dbname="+u.String(), "--schema="+schema, "--no-owner").CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "CREATE TABLE", "the dump holds the schema")
	return string(out)
}

// TestCLIRotateKey rotates the key file's key: every sealed value moves to
// the new key, the old key leaves the file, and the secrets still open.
func TestCLIRotateKey(t *testing.T) { onEachStore(t, testCLIRotateKey) }

func testCLIRotateKey(t *testing.T, h *cliHome) {
	const secret = "ghp_rotate0123456789abcdefghijklmnopqr"
	h.must("config", "add", "--config-name", "c")
	h.must("config", "add-server", "--config-name", "c", "--server-name", "s", "--server-command", "npx", "--env", `{"GITHUB_TOKEN":"`+secret+`"}`)
	keyFile := filepath.Join(filepath.Dir(h.configPath), "secret.key")
	before, err := os.ReadFile(keyFile)
	require.NoError(t, err, "the first command generated the key file beside the config file")
	h.must("system", "backup", "--output-file", "before.json")

	rotated := h.must("secrets", "rotate-key")
	newID, oldID := at(t, rotated, "key_id").(string), at(t, rotated, "previous_key_id").(string)
	assert.NotEqual(t, oldID, newID)
	assert.Equal(t, 1.0, at(t, rotated, "resealed"))
	after, err := os.ReadFile(keyFile)
	require.NoError(t, err)
	assert.NotEqual(t, string(before), string(after))
	assert.Len(t, strings.Fields(strings.TrimSpace(keyLines(string(after)))), 1, "the old key left the file")
	info, err := os.Stat(keyFile)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	h.must("system", "backup", "--output-file", "after.json")
	data, err := os.ReadFile(filepath.Join(h.workDir, "after.json"))
	require.NoError(t, err)
	assert.Contains(t, string(data), "smgsealed:v1:"+newID+":")
	assert.NotContains(t, string(data), "smgsealed:v1:"+oldID+":")
	assert.NotContains(t, string(data), secret)
	shown := h.must("config", "get-server", "--config-name", "c", "--server-name", "s")
	assert.Equal(t, "ghp_…opqr", at(t, shown, "config.env.GITHUB_TOKEN"), "the secret opens with the new key")

	res := h.run("system", "restore", "--input-file", "before.json")
	assert.Equal(t, 1, res.code, "a backup sealed with the old key does not restore: %s", res.stdout)
	assert.Contains(t, res.stderr, "sealed with another secret key")
	h.must("system", "restore", "--input-file", "after.json")
}

// keyLines is a key file without its comments.
func keyLines(text string) string {
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "#") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// TestFirstStartSealsWhatAnEarlierVersionStoredInClear writes a store as an
// earlier version did (env values and the provider key in clear), starts
// the server on it, and finds the values sealed, nowhere in the database
// file in clear, and still starting the upstream.
func TestFirstStartSealsWhatAnEarlierVersionStoredInClear(t *testing.T) {
	home := t.TempDir()
	dataDir := filepath.Join(home, ".enkrypt")
	require.NoError(t, os.MkdirAll(dataDir, 0o700))
	secrets := newPlantedSecrets(t)
	ctx := context.Background()
	store, err := sqlstore.OpenSQLite(ctx, filepath.Join(dataDir, "gateway.db"))
	require.NoError(t, err)
	now := time.Now().UTC()
	cfg := models.Config{ID: "5f0c3a52-7f3c-4c39-9a59-2a4f1d3b8e11", Name: "old", CreatedAt: now, UpdatedAt: now}
	require.NoError(t, store.Configs().Create(ctx, cfg))
	require.NoError(t, store.Servers().Create(ctx, cfg.ID, models.Server{Name: "tester", Command: testUpstream(t), Args: []string{"serve"},
		Env: map[string]string{"GITHUB_TOKEN": secrets.envToken}, OAuthConfig: models.JSONObject{"OAUTH_CLIENT_SECRET": secrets.oauthSecret},
		CreatedAt: now, UpdatedAt: now}.Normalize()))
	value, _ := json.Marshal(secrets.providerKey)
	require.NoError(t, store.Settings().Put(ctx, models.Setting{Key: "enkrypt_api_key", Value: string(value), UpdatedAt: now}))
	require.NoError(t, store.Close())
	db, err := os.ReadFile(filepath.Join(dataDir, "gateway.db"))
	require.NoError(t, err)
	require.Contains(t, string(db), secrets.envToken, "the earlier version's store holds it in clear")

	const admin = "e2e-admin-key-0123456789abcdef0123456789"
	g := startGateway(t, home, "SMG_ADMIN_API_KEY="+admin)
	g.key = admin
	assert.Contains(t, g.logs.String(), "sealed the secrets the store held in clear")
	g.admin(http.StatusCreated, "POST", "/api/v1/projects", map[string]string{"project_name": "p"})
	g.admin(http.StatusOK, "POST", "/api/v1/projects/p/assign-config", map[string]string{"config_name": "old"})
	g.admin(http.StatusCreated, "POST", "/api/v1/users", map[string]string{"email": "jane.doe@example.com"})
	g.admin(http.StatusCreated, "POST", "/api/v1/projects/p/users", map[string]string{"email": "jane.doe@example.com"})
	key := g.admin(http.StatusCreated, "POST", "/api/v1/users/jane.doe@example.com/api-keys", map[string]string{"project_name": "p"})["api_key"].(string)
	session, err := mcpSession(t, g.mcpURL, key)
	require.NoError(t, err)
	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "tester__env"})
	require.NoError(t, err)
	assert.Contains(t, toolText(t, res), "GITHUB_TOKEN="+secrets.envToken)
	require.NoError(t, g.stop())

	for _, name := range []string{"gateway.db", "gateway.db-wal"} {
		data, err := os.ReadFile(filepath.Join(dataDir, name))
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		for _, secret := range secrets.all() {
			assert.NotContains(t, string(data), secret, "%s still holds a value in clear after the sealing", name)
		}
	}
	restarted := startGateway(t, home, "SMG_ADMIN_API_KEY="+admin)
	assert.NotContains(t, restarted.logs.String(), "sealed the secrets", "the second start has nothing to seal")
}
