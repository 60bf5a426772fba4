package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCLIWritesWhileServerWrites runs CLI processes and API clients writing to
// one SQLite store at the same time: nothing is lost, the CLI sees the
// server's writes at once and the server sees the CLI's within the lifetime of
// its read cache (under a second, as for a second server instance).
func TestCLIWritesWhileServerWrites(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	s := startServer(t, home)
	key := adminKeyOf(t, filepath.Join(home, ".enkrypt", "enkrypt_mcp_config.json"))
	h := &cliHome{t: t, env: append(cleanEnv(), "HOME="+home), vars: map[string]string{}}

	h.must("config", "add", "--config-name", "from-cli")
	serverSees(t, s.base, key, "/api/v1/configs/from-cli", func(data any) bool { return data != nil })
	status, _ := s.call("POST", "/api/v1/configs", key, map[string]string{"config_name": "from-api"})
	require.Equal(t, http.StatusCreated, status)
	assert.Equal(t, "from-api", at(t, h.must("config", "get", "--config-name", "from-api"), "mcp_config_name"),
		"the CLI sees a configuration the server created")

	const writers, each = 3, 8
	var wg sync.WaitGroup
	errs := make(chan error, 2*writers*each)
	for w := range writers {
		wg.Add(2)
		go func() { // one CLI process per write
			defer wg.Done()
			for i := range each {
				res, err := runCLI(h.env, "", "config", "add-server", "--config-name", "from-cli", "--server-name", fmt.Sprintf("cli-%d-%d", w, i),
					"--server-command", "npx", "--args=-y,@modelcontextprotocol/server-github")
				if err == nil && res.code != 0 {
					err = fmt.Errorf("cli-%d-%d: exit %d: %s", w, i, res.code, res.stderr)
				}
				if err != nil {
					errs <- err
				}
			}
		}()
		go func() {
			defer wg.Done()
			for i := range each {
				if err := postServer(s.base, key, fmt.Sprintf("api-%d-%d", w, i)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	var want []string
	for w := range writers {
		for i := range each {
			want = append(want, fmt.Sprintf("api-%d-%d", w, i), fmt.Sprintf("cli-%d-%d", w, i))
		}
	}
	sort.Strings(want)
	assert.Equal(t, want, serverNames(t, h.must("config", "list-servers", "--config-name", "from-cli")), "the CLI sees every write")
	serverSees(t, s.base, key, "/api/v1/configs/from-cli/servers", func(data any) bool { return len(data.([]any)) == len(want) })
	status, list := s.call("GET", "/api/v1/configs/from-cli/servers", key, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, want, serverNames(t, list["data"]), "the server sees every write")
}

// serverSees waits until GET path answers 200 with data that satisfies ok; the
// server may serve reads from its cache for under a second.
func serverSees(t *testing.T, base, key, path string, ok func(data any) bool) {
	t.Helper()
	start := time.Now()
	assert.Eventually(t, func() bool {
		req, err := http.NewRequest("GET", base+path, nil)
		if err != nil {
			return false
		}
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		defer res.Body.Close()
		var doc struct{ Data any }
		return res.StatusCode == http.StatusOK && json.NewDecoder(res.Body).Decode(&doc) == nil && ok(doc.Data)
	}, 2*time.Second, 10*time.Millisecond, "the server sees the CLI's writes at %s", path)
	t.Logf("the server saw the CLI's writes at %s after %s", path, time.Since(start).Round(time.Millisecond))
}

func postServer(base, key, name string) error {
	body, _ := json.Marshal(map[string]any{"server_name": name, "server_command": "npx"})
	req, err := http.NewRequest("POST", base+"/api/v1/configs/from-cli/servers", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		return fmt.Errorf("%s: status %d", name, res.StatusCode)
	}
	return nil
}

func serverNames(t *testing.T, data any) []string {
	t.Helper()
	var names []string
	for _, item := range data.([]any) {
		names = append(names, at(t, item, "server_name").(string))
	}
	sort.Strings(names)
	return names
}
