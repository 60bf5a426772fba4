package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
)

const (
	scaleAdminKey = "scale-out-admin-key-0123456789abcdef0123456789"
	// dbPassword is put in the database URL to check that no log shows it; the
	// test database trusts local connections and ignores it.
	dbPassword = "db-pass-never-logged-0123456789"
)

// startPair starts two gateway processes, each with its own HOME and config
// file, on one fresh PostgreSQL schema and with the same admin key.
func startPair(t *testing.T) (a, b *server) {
	t.Helper()
	u, err := url.Parse(sqltest.NewPostgresURL(t))
	require.NoError(t, err)
	u.User = url.UserPassword(u.User.Username(), dbPassword)
	env := []string{"SMG_DATABASE_URL=" + u.String(), "SMG_ADMIN_API_KEY=" + scaleAdminKey}
	// Started together: their migrations race for the same empty schema.
	a = launchServer(t, t.TempDir(), nil, env...)
	b = launchServer(t, t.TempDir(), nil, env...)
	a.waitHealthy()
	b.waitHealthy()
	t.Cleanup(func() {
		for _, s := range []*server{a, b} {
			assert.NotContains(t, s.logs.String(), dbPassword, "the database password never appears in the log")
			assert.NotContains(t, s.logs.String(), scaleAdminKey)
		}
	})
	return a, b
}

func TestScaleOutConfigCreatedOnAIsServedByB(t *testing.T) {
	t.Parallel()
	a, b := startPair(t)
	status, created := a.call("POST", "/api/v1/configs", scaleAdminKey, map[string]string{"config_name": "shared"})
	require.Equal(t, http.StatusCreated, status, "%v", created)
	id := created["data"].(map[string]any)["config_id"].(string)

	status, srv := b.call("POST", "/api/v1/configs/shared/servers", scaleAdminKey, map[string]any{
		"server_name": "github", "server_command": "npx", "args": []string{"-y", "@modelcontextprotocol/server-github"}})
	require.Equal(t, http.StatusCreated, status, "%v", srv)

	status, got := a.call("GET", "/api/v1/configs/"+id, scaleAdminKey, nil)
	require.Equal(t, http.StatusOK, status, "%v", got)
	data := got["data"].(map[string]any)
	assert.Equal(t, "shared", data["mcp_config_name"])
	servers, _ := data["servers"].([]any)
	require.Len(t, servers, 1, "the server added through B is served by A: %v", data)
	assert.Equal(t, "github", servers[0].(map[string]any)["server_name"])

	status, dup := b.call("POST", "/api/v1/configs", scaleAdminKey, map[string]string{"config_name": "shared"})
	assert.Equal(t, http.StatusConflict, status, "%v", dup)
}

// post sends one create from any goroutine and returns the status (0 on a
// transport error, which the caller reports).
func post(base, path string, body any) (int, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequest("POST", base+path, bytes.NewReader(data))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+scaleAdminKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	return res.StatusCode, nil
}

func TestScaleOutConcurrentCreatesAllPersist(t *testing.T) {
	t.Parallel()
	a, b := startPair(t)
	const n = 200
	statuses := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		target := []*server{a, b}[i%2]
		wg.Go(func() {
			statuses[i], errs[i] = post(target.base, "/api/v1/configs", map[string]string{"config_name": fmt.Sprintf("scale-%03d", i)})
		})
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i], "request %d", i)
		require.Equal(t, http.StatusCreated, statuses[i], "request %d", i)
	}

	for _, s := range []*server{a, b} {
		req, err := http.NewRequest("GET", s.base+"/api/v1/configs", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+scaleAdminKey)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var list struct {
			Data []struct {
				Name string `json:"mcp_config_name"`
			} `json:"data"`
		}
		require.NoError(t, json.NewDecoder(res.Body).Decode(&list))
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
		assert.Equal(t, strconv.Itoa(n), res.Header.Get("X-Total-Count"))
		names := map[string]bool{}
		for _, c := range list.Data {
			names[c.Name] = true
		}
		assert.Len(t, names, n, "every acknowledged creation is persisted once, seen from %s", s.base)
	}
}

func TestScaleOutDuplicateNameAcrossInstancesOneWins(t *testing.T) {
	t.Parallel()
	a, b := startPair(t)
	const n = 20
	statuses := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		target := []*server{a, b}[i%2]
		wg.Go(func() {
			statuses[i], errs[i] = post(target.base, "/api/v1/configs", map[string]string{"config_name": "contended"})
		})
	}
	wg.Wait()
	counts := map[int]int{}
	for i := range n {
		require.NoError(t, errs[i])
		counts[statuses[i]]++
	}
	assert.Equal(t, map[int]int{http.StatusCreated: 1, http.StatusConflict: n - 1}, counts)
}

// A database that cannot be reached stops the start with an error that names
// it but not its password.
func TestUnreachableDatabaseErrorHidesPassword(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(binary, "system", "start-api", "--host", "127.0.0.1", "--port", fmt.Sprint(freePort(t)))
	cmd.Env = append(cleanEnv(), "HOME="+t.TempDir(), "SMG_ADMIN_API_KEY="+scaleAdminKey,
		"SMG_DATABASE_URL=postgres://gateway:"+dbPassword+"@127.0.0.1:1/gateway?sslmode=disable&connect_timeout=2")
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "the start fails")
	assert.Contains(t, string(out), "gateway@127.0.0.1:1/gateway")
	assert.NotContains(t, string(out), dbPassword)
}

// A key disabled through A is refused by B within a second: B's view of the
// key (looked up by its secret, as verification does) says so.
func TestScaleOutKeyDisabledOnAIsInactiveOnB(t *testing.T) {
	t.Parallel()
	a, b := startPair(t)
	for _, step := range []struct {
		s    *server
		path string
		body map[string]string
	}{
		{a, "/api/v1/configs", map[string]string{"config_name": "cfg"}},
		{b, "/api/v1/projects", map[string]string{"project_name": "p"}},
		{a, "/api/v1/projects/p/assign-config", map[string]string{"config_name": "cfg"}},
		{b, "/api/v1/users", map[string]string{"email": "alice@example.com"}},
		{a, "/api/v1/projects/p/users", map[string]string{"email": "alice@example.com"}},
	} {
		status, res := step.s.call("POST", step.path, scaleAdminKey, step.body)
		require.Contains(t, []int{http.StatusOK, http.StatusCreated}, status, "%s: %v", step.path, res)
	}
	status, issued := b.call("POST", "/api/v1/users/alice@example.com/api-keys", scaleAdminKey, map[string]string{"project_name": "p"})
	require.Equal(t, http.StatusCreated, status, "%v", issued)
	secret := issued["data"].(map[string]any)["api_key"].(string)
	keyID := issued["data"].(map[string]any)["key_id"].(string)

	status, view := a.call("GET", "/api/v1/api-keys/"+secret, scaleAdminKey, nil)
	require.Equal(t, http.StatusOK, status, "%v", view)
	assert.Equal(t, "active", view["data"].(map[string]any)["status"], "a key issued by B is active on A")

	status, res := a.call("POST", "/api/v1/api-keys/"+keyID+"/disable", scaleAdminKey, nil)
	require.Equal(t, http.StatusOK, status, "%v", res)
	seenWithinASecond(t, time.Now(), "B sees the key disabled on A", func() bool {
		status, view := b.call("GET", "/api/v1/api-keys/"+secret, scaleAdminKey, nil)
		require.Equal(t, http.StatusOK, status, "%v", view)
		data := view["data"].(map[string]any)
		if data["status"] != "inactive" {
			return false
		}
		assert.Equal(t, "disabled", data["inactive_reason"])
		return true
	})
	assert.NotContains(t, a.logs.String(), secret)
	assert.NotContains(t, b.logs.String(), secret)
}

// The database URL selects PostgreSQL whether it comes from the flag, the
// environment or the config file.
func TestDatabaseURLFromFlagEnvAndConfigFile(t *testing.T) {
	t.Parallel()
	u := sqltest.NewPostgresURL(t)
	for name, start := range map[string]func(t *testing.T) *server{
		"flag": func(t *testing.T) *server {
			return startServerArgs(t, t.TempDir(), []string{"--database-url", u}, "SMG_ADMIN_API_KEY="+scaleAdminKey)
		},
		"env": func(t *testing.T) *server {
			return startServer(t, t.TempDir(), "SMG_DATABASE_URL="+u, "SMG_ADMIN_API_KEY="+scaleAdminKey)
		},
		"config file": func(t *testing.T) *server {
			home := t.TempDir()
			path := filepath.Join(home, "gateway.json")
			doc, err := json.Marshal(map[string]string{"admin_apikey": scaleAdminKey, "database_url": u})
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(path, doc, 0o600))
			return startServer(t, home, "SMG_CONFIG_PATH="+path)
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := start(t)
			status, health := s.call("GET", "/api/v1/system/health", scaleAdminKey, nil)
			require.Equal(t, http.StatusOK, status, "%v", health)
			assert.Equal(t, "postgres", health["data"].(map[string]any)["store"])
			status, res := s.call("POST", "/api/v1/configs", scaleAdminKey, map[string]string{"config_name": "via-" + name})
			require.Equal(t, http.StatusCreated, status, "%v", res)
		})
	}
	// All three wrote to the one database.
	store := sqltest.OpenPostgresAt(t, u)
	n, err := store.Configs().Count(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 3, n)
}

// B reads a configuration (and may keep it in its short read cache); A then
// changes it; B serves the change within a second.
func TestScaleOutChangeOnAIsServedByBWithinASecond(t *testing.T) {
	t.Parallel()
	a, b := startPair(t)
	status, res := a.call("POST", "/api/v1/configs", scaleAdminKey, map[string]string{"config_name": "watched"})
	require.Equal(t, http.StatusCreated, status, "%v", res)
	for range 3 {
		status, got := b.call("GET", "/api/v1/configs/watched", scaleAdminKey, nil)
		require.Equal(t, http.StatusOK, status, "%v", got)
		require.Empty(t, got["data"].(map[string]any)["servers"])
	}
	status, res = a.call("POST", "/api/v1/configs/watched/servers", scaleAdminKey, map[string]any{"server_name": "git", "server_command": "uvx"})
	require.Equal(t, http.StatusCreated, status, "%v", res)
	seenWithinASecond(t, time.Now(), "B serves the server added on A", func() bool {
		status, got := b.call("GET", "/api/v1/configs/watched", scaleAdminKey, nil)
		require.Equal(t, http.StatusOK, status, "%v", got)
		servers, _ := got["data"].(map[string]any)["servers"].([]any)
		return len(servers) == 1
	})
	status, res = a.call("DELETE", "/api/v1/configs/watched", scaleAdminKey, nil)
	require.Equal(t, http.StatusOK, status, "%v", res)
	seenWithinASecond(t, time.Now(), "B stops serving the configuration deleted on A", func() bool {
		status, _ := b.call("GET", "/api/v1/configs/watched", scaleAdminKey, nil)
		return status == http.StatusNotFound
	})
}

// seenWithinASecond polls check until it reports the change made at changed.
// It fails only if a check that started more than a second after the change
// still misses it, so a slow machine's request latency is not counted as
// staleness.
func seenWithinASecond(t *testing.T, changed time.Time, what string, check func() bool) {
	t.Helper()
	for {
		started := time.Now()
		if check() {
			return
		}
		require.Less(t, started.Sub(changed), time.Second, "%s: still stale after 1s", what)
		time.Sleep(20 * time.Millisecond)
	}
}

// Servers added concurrently to one configuration through both instances all
// touch the same configuration row: SERIALIZABLE transactions collide and are
// retried, and every add is acknowledged and kept.
func TestScaleOutConcurrentServerAddsToOneConfiguration(t *testing.T) {
	t.Parallel()
	a, b := startPair(t)
	status, res := a.call("POST", "/api/v1/configs", scaleAdminKey, map[string]string{"config_name": "hot"})
	require.Equal(t, http.StatusCreated, status, "%v", res)
	const n = 100
	statuses := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		target := []*server{a, b}[i%2]
		wg.Go(func() {
			statuses[i], errs[i] = post(target.base, "/api/v1/configs/hot/servers",
				map[string]string{"server_name": fmt.Sprintf("s%03d", i), "server_command": "npx"})
		})
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i], "request %d", i)
		require.Equal(t, http.StatusCreated, statuses[i], "request %d", i)
	}
	status, got := b.call("GET", "/api/v1/configs/hot/servers", scaleAdminKey, nil)
	require.Equal(t, http.StatusOK, status, "%v", got)
	assert.Len(t, got["data"].([]any), n)
}
