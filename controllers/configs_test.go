package controllers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/catalog"
)

// seedConfig creates a configuration with one server and returns its id.
func (h *harness) seedConfig(name string, servers ...string) string {
	h.t.Helper()
	res := h.must(http.StatusCreated, h.do("POST", "/api/v1/configs", map[string]any{"config_name": name}))
	for _, s := range servers {
		h.must(http.StatusCreated, h.do("POST", "/api/v1/configs/"+name+"/servers", map[string]any{
			"server_name": s, "server_command": "npx", "args": []string{"-y", "@modelcontextprotocol/server-" + s}, "description": s + " server",
		}))
	}
	return res.data()["config_id"].(string)
}

func TestConfigCreate(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	res := h.must(http.StatusCreated, h.do("POST", "/api/v1/configs", `{"config_name": "  my-config  "}`))
	assert.Equal(t, "my-config", res.data()["config_name"], "names are trimmed")
	assert.Regexp(t, `^[0-9a-f-]{36}$`, res.data()["config_id"])
	assert.Equal(t, "Configuration created successfully", res.Body["message"])

	cases := []struct {
		name, body string
		status     int
		category   string
		detail     string
	}{
		{"malformed JSON", `{"config_name": `, 400, "invalid", "malformed JSON"},
		{"wrong type", `{"config_name": 42}`, 400, "invalid", "config_name"},
		{"body not an object", `["x"]`, 400, "invalid", "object"},
		{"missing field", `{}`, 400, "invalid", "config_name is required"},
		{"empty body", ``, 400, "invalid", "config_name is required"},
		{"blank name", `{"config_name": "   "}`, 400, "invalid", "config_name is required"},
		{"slash in name", `{"config_name": "a/b"}`, 400, "invalid", "'/'"},
		{"control character", `{"config_name": "a\u0007b"}`, 400, "invalid", "control"},
		{"too long", fmt.Sprintf(`{"config_name": %q}`, strings.Repeat("x", 129)), 400, "invalid", "128"},
		{"duplicate", `{"config_name": "my-config"}`, 409, "conflict", "my-config"},
		{"huge body", `{"config_name": "` + strings.Repeat("x", 2<<20) + `"}`, 413, "payload_too_large", "limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertError(t, h.do("POST", "/api/v1/configs", tc.body), tc.status, tc.category, tc.detail)
		})
	}
	t.Run("unknown fields are ignored", func(t *testing.T) {
		h.must(http.StatusCreated, h.do("POST", "/api/v1/configs", `{"config_name": "other", "colour": "blue"}`))
	})
	t.Run("128 characters is allowed", func(t *testing.T) {
		h.must(http.StatusCreated, h.do("POST", "/api/v1/configs", map[string]string{"config_name": strings.Repeat("é", 128)}))
	})
}

func TestConfigListAndPaging(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, testConfigListAndPaging)
}

func testConfigListAndPaging(t *testing.T, h *harness) {
	empty := h.must(http.StatusOK, h.do("GET", "/api/v1/configs", nil))
	assert.Equal(t, []any{}, empty.Body["data"], "an empty list is [] not null")
	assert.Equal(t, "0", empty.Header.Get("X-Total-Count"))
	for _, n := range []string{"c1", "c2", "c3"} {
		h.seedConfig(n, "github")
	}
	res := h.must(http.StatusOK, h.do("GET", "/api/v1/configs", nil))
	items := res.list()
	require.Len(t, items, 3)
	assert.Equal(t, "c1", items[0]["mcp_config_name"])
	assert.EqualValues(t, 1, items[0]["servers"])
	assert.Equal(t, []any{}, items[0]["used_by_projects"])
	page := h.must(http.StatusOK, h.do("GET", "/api/v1/configs?limit=1&offset=1", nil))
	assert.Equal(t, "3", page.Header.Get("X-Total-Count"))
	require.Len(t, page.list(), 1)
	assert.Equal(t, "c2", page.list()[0]["mcp_config_name"])
	for _, q := range []string{"limit=-1", "limit=x", "offset=1.5", "limit=-99999999999999999999", "limit="} {
		assertError(t, h.do("GET", "/api/v1/configs?"+q, nil), 400, "invalid", "non-negative integer")
	}
	// A number too large to represent is more than there is: all, or none left.
	huge := "99999999999999999999"
	assert.Len(t, h.must(http.StatusOK, h.do("GET", "/api/v1/configs?limit="+huge, nil)).list(), 3)
	assert.Empty(t, h.must(http.StatusOK, h.do("GET", "/api/v1/configs?offset="+huge, nil)).list())
	assert.Empty(t, h.must(http.StatusOK, h.do("GET", "/api/v1/configs/c1/servers?offset="+huge+"&limit="+huge, nil)).list())
}

func TestConfigGetByIDOrName(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.seedConfig("my-config", "github")
	for _, ident := range []string{id, "my-config"} {
		res := h.must(http.StatusOK, h.do("GET", "/api/v1/configs/"+ident, nil))
		assert.Equal(t, id, res.data()["mcp_config_id"])
		servers := res.data()["servers"].([]any)
		require.Len(t, servers, 1)
		srv := servers[0].(map[string]any)
		assert.Equal(t, "github", srv["server_name"])
		assert.Equal(t, map[string]any{"command": "npx", "args": []any{"-y", "@modelcontextprotocol/server-github"}, "env": map[string]any{}}, srv["config"])
		assert.Equal(t, map[string]any{"enabled": false, "policy_name": "", "additional_config": map[string]any{}, "block": []any{}}, srv["input_guardrails_policy"])
	}
	assertError(t, h.do("GET", "/api/v1/configs/nope", nil), 404, "not_found", `"nope"`)
}

func TestConfigCopyRenameDelete(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, testConfigCopyRenameDelete)
}

func testConfigCopyRenameDelete(t *testing.T, h *harness) {
	h.seedConfig("src", "github", "slack")
	h.seedConfig("taken")
	copied := h.must(http.StatusCreated, h.do("POST", "/api/v1/configs/copy", map[string]string{"source_config": "src", "target_config": "dst"}))
	assert.Equal(t, "dst", copied.data()["config_name"])
	servers := h.must(http.StatusOK, h.do("GET", "/api/v1/configs/dst/servers", nil)).list()
	require.Len(t, servers, 2)
	assert.Equal(t, "github", servers[0]["server_name"])

	assertError(t, h.do("POST", "/api/v1/configs/copy", map[string]string{"source_config": "nope", "target_config": "x"}), 404, "not_found", "nope")
	assertError(t, h.do("POST", "/api/v1/configs/copy", map[string]string{"source_config": "src", "target_config": "taken"}), 409, "conflict", "taken")
	assertError(t, h.do("POST", "/api/v1/configs/copy", map[string]string{"target_config": "x"}), 400, "invalid", "source_config")
	assertError(t, h.do("POST", "/api/v1/configs/copy", map[string]any{"source_config": "src", "target_config": 1}), 400, "invalid", "target_config")

	h.must(http.StatusOK, h.do("PUT", "/api/v1/configs/dst/rename", map[string]string{"new_name": "dst"}))
	renamed := h.must(http.StatusOK, h.do("PUT", "/api/v1/configs/dst/rename", map[string]string{"new_name": "dst2"}))
	assert.Equal(t, "dst2", renamed.data()["config_name"])
	assertError(t, h.do("GET", "/api/v1/configs/dst", nil), 404, "not_found")
	assertError(t, h.do("PUT", "/api/v1/configs/dst2/rename", map[string]string{"new_name": "taken"}), 409, "conflict", "taken")
	assertError(t, h.do("PUT", "/api/v1/configs/dst2/rename", map[string]string{"new_name": "a/b"}), 400, "invalid", "new_name")
	assertError(t, h.do("PUT", "/api/v1/configs/nope/rename", map[string]string{"new_name": "z"}), 404, "not_found")

	h.must(http.StatusOK, h.do("DELETE", "/api/v1/configs/dst2", nil))
	assertError(t, h.do("DELETE", "/api/v1/configs/dst2", nil), 404, "not_found")
}

func TestConfigDeleteRefusedWhileUsedByProject(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, testConfigDeleteRefusedWhileUsedByProject)
}

func testConfigDeleteRefusedWhileUsedByProject(t *testing.T, h *harness) {
	id := h.seedConfig("used")
	// The project routes come with their own service; the store is enough here.
	now := time.Now().UTC()
	require.NoError(t, h.store.Projects().Create(context.Background(), models.Project{ID: uuid.NewString(), Name: "proj", ConfigID: id, CreatedAt: now, UpdatedAt: now}))
	assertError(t, h.do("DELETE", "/api/v1/configs/used", nil), 409, "conflict", "used by 1 project")
	projects := h.must(http.StatusOK, h.do("GET", "/api/v1/configs/used/projects", nil)).list()
	require.Len(t, projects, 1)
	assert.Equal(t, "proj", projects[0]["project_name"])
	assert.EqualValues(t, 0, projects[0]["users"])
	list := h.must(http.StatusOK, h.do("GET", "/api/v1/configs", nil)).list()
	assert.Equal(t, []any{map[string]any{"project_id": projects[0]["project_id"], "project_name": "proj"}}, list[0]["used_by_projects"])
}

func TestServerRoutes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedConfig("cfg", "github")
	base := "/api/v1/configs/cfg/servers"

	t.Run("add validates", func(t *testing.T) {
		cases := []struct {
			name   string
			body   any
			status int
			detail string
		}{
			{"missing command", `{"server_name": "x"}`, 400, "server_command is required"},
			{"missing name", `{"server_command": "npx"}`, 400, "server_name is required"},
			{"slash in name", `{"server_name": "a/b", "server_command": "npx"}`, 400, "'/'"},
			{"args wrong type", `{"server_name": "x", "server_command": "npx", "args": "-y"}`, 400, "args"},
			{"args item wrong type", `{"server_name": "x", "server_command": "npx", "args": ["-y", 1]}`, 400, "field args must be an array of string items; one is a number"},
			{"env wrong type", `{"server_name": "x", "server_command": "npx", "env": {"A": 1}}`, 400, "field env must be an object of string values; one is a number"},
			{"tools wrong type", `{"server_name": "x", "server_command": "npx", "tools": []}`, 400, "tools"},
			{"policy wrong type", `{"server_name": "x", "server_command": "npx", "input_guardrails_policy": {"enabled": "yes"}}`, 400, "enabled"},
			{"tools nested too deep", `{"server_name": "x", "server_command": "npx", "tools": {"t": ` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}}`, 400, "tools nests deeper than 64 levels"},
			{"policy config nested too deep", `{"server_name": "x", "server_command": "npx", "input_guardrails_policy": {"additional_config": {"a": ` + strings.Repeat("[", 70) + strings.Repeat("]", 70) + `}}}`, 400,
				"input_guardrails_policy.additional_config nests deeper than 64 levels"},
			{"null in args", `{"server_name": "x", "server_command": "npx", "args": ["-y", null]}`, 400, "field args must be an array of string items; one is a null"},
			{"null in env", `{"server_name": "x", "server_command": "npx", "env": {"A": null}}`, 400, "field env must be an object of string values; one is a null"},
			{"env not an object", `{"server_name": "x", "server_command": "npx", "env": ["A"]}`, 400, "field env must be of type object, not array"},
			{"NUL in command", `{"server_name": "x", "server_command": "npx\u0000rm"}`, 400, "server_command must not contain a NUL character"},
			{"NUL in args", `{"server_name": "x", "server_command": "npx", "args": ["a\u0000b"]}`, 400, "args must not contain a NUL character"},
			{"NUL in env", `{"server_name": "x", "server_command": "npx", "env": {"A": "a\u0000"}}`, 400, "env A must not contain a NUL character"},
			{"malformed", `{"server_name": "x",`, 400, "malformed JSON"},
			{"duplicate", `{"server_name": "github", "server_command": "npx"}`, 409, "github"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := h.do("POST", base, tc.body)
				category := map[int]string{400: "invalid", 409: "conflict"}[tc.status]
				assertError(t, res, tc.status, category, tc.detail)
			})
		}
		assertError(t, h.do("POST", "/api/v1/configs/nope/servers", `{"server_name": "x", "server_command": "npx"}`), 404, "not_found", "nope")
	})

	t.Run("add with everything and list", func(t *testing.T) {
		res := h.must(http.StatusCreated, h.do("POST", base, map[string]any{
			"server_name": "git", "server_command": "uvx", "args": []string{"mcp-server-git"}, "env": map[string]string{"GIT_DIR": "/repo"},
			"tools": map[string]any{"git_log": map[string]any{}}, "description": "Git",
			"input_guardrails_policy": map[string]any{"enabled": true, "policy_name": "strict", "block": []string{"pii"}},
		}))
		assert.Equal(t, map[string]any{"GIT_DIR": "****"}, res.data()["config"].(map[string]any)["env"], "env values are masked")
		list := h.must(http.StatusOK, h.do("GET", base, nil)).list()
		require.Len(t, list, 2)
		assert.Equal(t, map[string]any{"server_name": "git", "description": "Git", "command": "uvx", "args": []any{"mcp-server-git"},
			"tools": float64(1), "input_guardrails_enabled": true, "output_guardrails_enabled": false}, list[1])
	})

	t.Run("partial update replaces present fields only", func(t *testing.T) {
		res := h.must(http.StatusOK, h.do("PUT", base+"/git", `{"args": [], "description": ""}`))
		cfg := res.data()["config"].(map[string]any)
		assert.Equal(t, []any{}, cfg["args"], "an empty array replaces")
		assert.Equal(t, "", res.data()["description"], "an empty string replaces")
		assert.Equal(t, "uvx", cfg["command"], "absent fields keep their value")
		assert.Equal(t, map[string]any{"GIT_DIR": "****"}, cfg["env"])
		got := h.must(http.StatusOK, h.do("GET", base+"/git", nil))
		assert.Equal(t, res.data()["config"], got.data()["config"])
		assertError(t, h.do("PUT", base+"/git", `{}`), 400, "invalid", "at least one")
		assertError(t, h.do("PUT", base+"/git", `{"server_command": ""}`), 400, "invalid", "server_command")
		assertError(t, h.do("PUT", base+"/git", `{"args": ["\u0000"]}`), 400, "invalid", "NUL")
		assertError(t, h.do("PUT", base+"/git", `{"args": [null]}`), 400, "invalid", "field args must be an array of string items; one is a null")
		assertError(t, h.do("PUT", base+"/git", `{"env": {"A": null}}`), 400, "invalid", "field env must be an object of string values; one is a null")
		assertError(t, h.do("PUT", base+"/git", `{"env": ["x"]}`), 400, "invalid", "env")
		assertError(t, h.do("PUT", base+"/nope", `{"description": "x"}`), 404, "not_found", "nope")
	})

	t.Run("get and delete one", func(t *testing.T) {
		assertError(t, h.do("GET", base+"/nope", nil), 404, "not_found", `"nope"`)
		h.must(http.StatusOK, h.do("DELETE", base+"/git", nil))
		assertError(t, h.do("DELETE", base+"/git", nil), 404, "not_found")
	})

	t.Run("delete all", func(t *testing.T) {
		res := h.must(http.StatusOK, h.do("DELETE", base, nil))
		assert.EqualValues(t, 1, res.data()["deleted"])
		assert.Empty(t, h.must(http.StatusOK, h.do("GET", base, nil)).list())
		assertError(t, h.do("DELETE", "/api/v1/configs/nope/servers", nil), 404, "not_found")
	})
}

func TestGuardrailPolicyRoutes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedConfig("cfg", "github")
	base := "/api/v1/configs/cfg/servers/github"
	policy := map[string]any{"enabled": true, "policy_name": "Strict", "additional_config": map[string]any{"pii_redaction": true}, "block": []string{"policy_violation"}}

	res := h.must(http.StatusOK, h.do("PUT", base+"/input-guardrails", map[string]any{"policy": policy}))
	assert.Equal(t, policy["policy_name"], res.data()["input_guardrails_policy"].(map[string]any)["policy_name"])
	assert.Equal(t, false, res.data()["output_guardrails_policy"].(map[string]any)["enabled"])

	require.NoError(t, os.WriteFile(filepath.Join(h.dataDir, "out.json"), []byte(`{"enabled": true, "policy_name": "FromFile", "block": ["x"]}`), 0o600))
	res = h.must(http.StatusOK, h.do("PUT", base+"/output-guardrails", map[string]any{"policy_file": "out.json"}))
	assert.Equal(t, "FromFile", res.data()["output_guardrails_policy"].(map[string]any)["policy_name"])
	assert.Equal(t, "Strict", res.data()["input_guardrails_policy"].(map[string]any)["policy_name"], "the other policy is kept")

	res = h.must(http.StatusOK, h.do("PUT", base+"/guardrails", map[string]any{"input_policy": map[string]any{"enabled": false}, "output_policy": policy}))
	assert.Equal(t, false, res.data()["input_guardrails_policy"].(map[string]any)["enabled"])
	assert.Equal(t, "Strict", res.data()["output_guardrails_policy"].(map[string]any)["policy_name"])

	// Errors name the fields of the route the client called.
	assertError(t, h.do("PUT", base+"/guardrails", `{}`), 400, "invalid", "at least one of input_policy, input_policy_file, output_policy, output_policy_file")
	assertError(t, h.do("PUT", base+"/guardrails", `{"input_policy": {}, "input_policy_file": "out.json"}`), 400, "invalid", "either input_policy or input_policy_file")
	assertError(t, h.do("PUT", base+"/guardrails", `{"output_policy_file": "missing.json"}`), 404, "not_found", `output_policy_file "missing.json"`)
	for _, route := range []string{"/input-guardrails", "/output-guardrails"} {
		assertError(t, h.do("PUT", base+route, `{}`), 400, "invalid", "policy or policy_file is required")
		assertError(t, h.do("PUT", base+route, `{"policy": {}, "policy_file": "out.json"}`), 400, "invalid", "either policy or policy_file, not both")
		missing := h.do("PUT", base+route, `{"policy_file": "missing.json"}`)
		assertError(t, missing, 404, "not_found", `policy_file "missing.json"`)
		assert.NotContains(t, missing.Body["detail"], "put_policy", "%s names only its own fields", route)
	}
	assertError(t, h.do("PUT", base+"/input-guardrails", `{"policy": {"block": "x"}}`), 400, "invalid", "block")
	assertError(t, h.do("PUT", base+"/input-guardrails", `{"policy_file": "../etc/passwd"}`), 400, "invalid", "data directory")
	assertError(t, h.do("PUT", base+"/input-guardrails", `{"policy_file": "/etc/passwd"}`), 400, "invalid", "data directory")
	assertError(t, h.do("PUT", base+"/input-guardrails", `{"policy_file": "missing.json"}`), 404, "not_found", "missing.json")
	require.NoError(t, os.WriteFile(filepath.Join(h.dataDir, "bad.json"), []byte(`{"enabled": "yes"}`), 0o600))
	assertError(t, h.do("PUT", base+"/input-guardrails", `{"policy_file": "bad.json"}`), 400, "invalid", "enabled")
	require.NoError(t, os.WriteFile(filepath.Join(h.dataDir, "typo.json"), []byte(`{"enabeld": true, "policy_name": "p"}`), 0o600))
	assertError(t, h.do("PUT", base+"/input-guardrails", `{"policy_file": "typo.json"}`), 400, "invalid", `policy_file "typo.json": policy has an unknown member "enabeld"`)
	require.NoError(t, os.WriteFile(filepath.Join(h.dataDir, "two.json"), []byte(`{"enabled": false} {"enabled": true}`), 0o600))
	assertError(t, h.do("PUT", base+"/input-guardrails", `{"policy_file": "two.json"}`), 400, "invalid", "more than one JSON value")
	assertError(t, h.do("PUT", "/api/v1/configs/cfg/servers/nope/input-guardrails", map[string]any{"policy": policy}), 404, "not_found")
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedConfig("good", "github")
	res := h.must(http.StatusOK, h.do("POST", "/api/v1/configs/good/validate", nil))
	assert.Equal(t, map[string]any{"valid": true, "issues": []any{}, "warnings": []any{}}, res.data())

	// A detector the local provider cannot evaluate is a warning, never a pass.
	h.must(http.StatusOK, h.do("PUT", "/api/v1/configs/good/servers/github/input-guardrails", map[string]any{"policy": map[string]any{
		"enabled": true, "policy_name": "p", "block": []string{"pii", "toxicity"}}}))
	res = h.must(http.StatusOK, h.do("POST", "/api/v1/configs/good/validate", nil))
	warnings := res.data()["warnings"].([]any)
	require.Len(t, warnings, 1)
	assert.Contains(t, warnings[0], "toxicity")
	assert.Contains(t, warnings[0], `server "github": input guardrails policy`)

	// A policy that cannot work (an invalid regular expression) is an issue.
	h.must(http.StatusOK, h.do("PUT", "/api/v1/configs/good/servers/github/output-guardrails", map[string]any{"policy": map[string]any{
		"enabled": true, "policy_name": "p", "block": []string{"keyword_detector"},
		"additional_config": map[string]any{"keyword_detector": map[string]any{"regex": []string{"(unclosed"}}}}}))
	res = h.do("POST", "/api/v1/configs/good/validate", nil)
	assertError(t, res, 400, "invalid", "output guardrails policy")

	h.seedConfig("empty")
	assertError(t, h.do("POST", "/api/v1/configs/empty/validate", nil), 400, "invalid", "no servers")

	h.seedConfig("bad", "a", "b")
	policy := map[string]any{"policy": map[string]any{"enabled": true}}
	h.must(http.StatusOK, h.do("PUT", "/api/v1/configs/bad/servers/a/input-guardrails", policy))
	h.must(http.StatusOK, h.do("PUT", "/api/v1/configs/bad/servers/b/output-guardrails", policy))
	res = h.do("POST", "/api/v1/configs/bad/validate", nil)
	assertError(t, res, 400, "invalid")
	assert.Len(t, res.Body["issues"], 2, "every issue is listed: %s", res.Raw)
	assertError(t, h.do("POST", "/api/v1/configs/nope/validate", nil), 404, "not_found")
}

func TestConfigExportImport(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.seedConfig("src", "github", "slack")
	res := h.must(http.StatusOK, h.do("POST", "/api/v1/configs/src/export", map[string]string{"output_file": "exports/src.json"}))
	assert.Equal(t, id, res.data()["mcp_config_id"])
	path := filepath.Join(h.dataDir, "exports", "src.json")
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	var onDisk map[string]any
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &onDisk))
	assert.Equal(t, res.data(), onDisk, "the returned document is the written one")

	imported := h.must(http.StatusCreated, h.do("POST", "/api/v1/configs/import", map[string]string{"config_name": "copy", "input_file": "exports/src.json"}))
	assert.Equal(t, "copy", imported.data()["config_name"])
	assert.Len(t, h.must(http.StatusOK, h.do("GET", "/api/v1/configs/copy/servers", nil)).list(), 2)

	inline := h.must(http.StatusCreated, h.do("POST", "/api/v1/configs/import", map[string]any{"config_name": "inline", "config": onDisk}))
	assert.Equal(t, "inline", inline.data()["config_name"])

	for _, tc := range []struct {
		name   string
		body   any
		status int
		detail string
	}{
		{"escape with dots", map[string]string{"config_name": "x", "input_file": "../../etc/passwd"}, 400, "data directory"},
		{"absolute", map[string]string{"config_name": "x", "input_file": "/etc/passwd"}, 400, "data directory"},
		{"missing file", map[string]string{"config_name": "x", "input_file": "none.json"}, 404, "none.json"},
		{"name too long", map[string]string{"config_name": "x", "input_file": strings.Repeat("n", 300) + ".json"}, 400, "too long for the file system"},
		{"neither", map[string]string{"config_name": "x"}, 400, "input_file or config"},
		{"duplicate name", map[string]any{"config_name": "src", "config": onDisk}, 409, "src"},
		{"server without command", map[string]any{"config_name": "x", "config": map[string]any{"mcp_config": []any{map[string]any{"server_name": "a"}, map[string]any{"server_name": "a", "config": map[string]any{"command": "npx"}}}}}, 400, "server_command"},
		{"wrong types", map[string]any{"config_name": "x", "config": map[string]any{"mcp_config": "nope"}}, 400, "mcp_config"},
		{"config not a document", map[string]any{"config_name": "x", "config": 5}, 400, "config must be a configuration document with an mcp_config list of servers, or that list, not number"},
		{"wrong nested type", map[string]any{"config_name": "x", "config": []any{map[string]any{"server_name": "a", "config": map[string]any{"command": "npx", "args": "y"}}}}, 400,
			"field config.args must be of type array, not string"},
		{"null nested item", map[string]any{"config_name": "x", "config": []any{map[string]any{"server_name": "a", "config": map[string]any{"command": "npx", "args": []any{nil}}}}}, 400,
			"field config.args must be an array of string items; one is a null"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			category := map[int]string{400: "invalid", 404: "not_found", 409: "conflict"}[tc.status]
			assertError(t, h.do("POST", "/api/v1/configs/import", tc.body), tc.status, category, tc.detail)
		})
	}
	t.Run("duplicate servers list every issue", func(t *testing.T) {
		res := h.do("POST", "/api/v1/configs/import", map[string]any{"config_name": "x", "config": map[string]any{"mcp_config": []any{
			map[string]any{"server_name": "a"}, map[string]any{"server_name": "a", "config": map[string]any{"command": "npx"}}}}})
		assertError(t, res, 400, "invalid")
		assert.Len(t, res.Body["issues"], 2)
		assertError(t, h.do("GET", "/api/v1/configs/x", nil), 404, "not_found")
	})
	t.Run("server names are trimmed as when a server is added", func(t *testing.T) {
		server := func(name string) map[string]any {
			return map[string]any{"server_name": name, "config": map[string]any{"command": "npx"}}
		}
		res := h.do("POST", "/api/v1/configs/import", map[string]any{"config_name": "x", "config": []any{server(" s "), server("s")}})
		assertError(t, res, 400, "invalid", `server "s" appears more than once`)
		assertError(t, h.do("POST", "/api/v1/configs/import", map[string]any{"config_name": "x", "config": []any{server("   ")}}), 400, "invalid", "server_name is required")
		h.must(http.StatusCreated, h.do("POST", "/api/v1/configs/import", map[string]any{"config_name": "padded", "config": []any{server(" padded ")}}))
		h.must(http.StatusOK, h.do("GET", "/api/v1/configs/padded/servers/padded", nil))
		// What was imported is backed up and restored as it is.
		h.must(http.StatusOK, h.do("POST", "/api/v1/system/backup", map[string]string{"output_file": "after-import.json"}))
		h.must(http.StatusOK, h.do("POST", "/api/v1/system/restore", map[string]string{"input_file": "after-import.json"}))
	})
	for _, name := range []string{"../out.json", "/tmp/out.json", "a/../../out.json", ""} {
		assertError(t, h.do("POST", "/api/v1/configs/src/export", map[string]string{"output_file": name}), 400, "invalid", "output_file")
	}
	assertError(t, h.do("POST", "/api/v1/configs/nope/export", map[string]string{"output_file": "x.json"}), 404, "not_found")
	_, err = os.Stat(filepath.Join(h.dataDir, "x.json"))
	assert.True(t, os.IsNotExist(err), "nothing is written for an unknown configuration")
}

func TestConfigSearch(t *testing.T) {
	t.Parallel()
	onEveryBackend(t, testConfigSearch)
}

func testConfigSearch(t *testing.T, h *harness) {
	h.seedConfig("GitStuff")
	h.seedConfig("tools", "github", "slack")
	h.seedConfig("plain", "slack")
	res := h.must(http.StatusOK, h.do("POST", "/api/v1/configs/search", map[string]string{"search_term": "GIT"}))
	hits := res.list()
	require.Len(t, hits, 2)
	assert.Equal(t, "config_name", hits[0]["match_type"])
	assert.Equal(t, "server_name", hits[1]["match_type"])
	assert.Equal(t, []any{"github"}, hits[1]["matching_servers"])
	assert.Empty(t, h.must(http.StatusOK, h.do("POST", "/api/v1/configs/search", map[string]string{"search_term": "zzz"})).list())
	assertError(t, h.do("POST", "/api/v1/configs/search", `{}`), 400, "invalid", "search_term")
	assertError(t, h.do("POST", "/api/v1/configs/search", `{"search_term": []}`), 400, "invalid", "search_term")
	for _, route := range []string{"/api/v1/configs/search", "/api/v1/projects/search", "/api/v1/users/search"} {
		assertError(t, h.do("POST", route, map[string]string{"search_term": strings.Repeat("é", 60000)}), 400, "invalid", "search_term must be at most 1024 characters")
		h.must(http.StatusOK, h.do("POST", route, map[string]string{"search_term": strings.Repeat("é", 1024)}))
	}
}

func TestDeeplyNestedToolsWithinTheBoundAreExportedAndBackedUp(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedConfig("deep")
	depth := catalog.MaxNestingDepth - 1 // the tools object itself is one level
	tools := `{"t": ` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`
	h.must(http.StatusCreated, h.do("POST", "/api/v1/configs/deep/servers", `{"server_name": "s", "server_command": "npx", "tools": `+tools+`}`))
	h.must(http.StatusOK, h.do("POST", "/api/v1/configs/deep/export", map[string]string{"output_file": "deep.json"}))
	h.must(http.StatusOK, h.do("POST", "/api/v1/system/backup", map[string]string{"output_file": "deep-backup.json"}))
	h.must(http.StatusOK, h.do("POST", "/api/v1/system/restore", map[string]string{"input_file": "deep-backup.json"}))
}

func TestLargeIntegersInToolsAndPoliciesKeepEveryDigit(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedConfig("exact")
	const big = "9007199254740993" // 2^53 + 1: a float64 would make it ...992
	res := h.must(http.StatusCreated, h.do("POST", "/api/v1/configs/exact/servers", `{"server_name": "s", "server_command": "npx",
		"tools": {"schema": {"maximum": `+big+`, "list": [`+big+`, 1.5]}},
		"input_guardrails_policy": {"enabled": false, "additional_config": {"limit": `+big+`}}}`))
	assert.Contains(t, string(res.Raw), `"maximum":`+big)
	got := h.must(http.StatusOK, h.do("GET", "/api/v1/configs/exact/servers/s", nil))
	assert.Contains(t, string(got.Raw), `"maximum":`+big)
	assert.Contains(t, string(got.Raw), `"list":[`+big+`,1.5]`)
	assert.Contains(t, string(got.Raw), `"limit":`+big)
	h.must(http.StatusOK, h.do("PUT", "/api/v1/configs/exact/servers/s", `{"tools": {"n": -`+big+`}}`))
	got = h.must(http.StatusOK, h.do("GET", "/api/v1/configs/exact/servers/s", nil))
	assert.Contains(t, string(got.Raw), `"n":-`+big)
	h.must(http.StatusOK, h.do("POST", "/api/v1/configs/exact/export", map[string]string{"output_file": "exact.json"}))
	exported, err := os.ReadFile(filepath.Join(h.dataDir, "exact.json"))
	require.NoError(t, err)
	assert.Contains(t, string(exported), big)
}
