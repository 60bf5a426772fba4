package controllers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seedProject creates a project, optionally using a configuration, and returns its id.
func (h *harness) seedProject(name, config string) string {
	h.t.Helper()
	res := h.must(http.StatusCreated, h.do("POST", "/api/v1/projects", map[string]any{"project_name": name}))
	if config != "" {
		h.must(http.StatusOK, h.do("POST", "/api/v1/projects/"+name+"/assign-config", map[string]any{"config_name": config}))
	}
	return res.data()["project_id"].(string)
}

// seedMember adds a user to a project.
func (h *harness) seedMember(project, email string) {
	h.t.Helper()
	h.must(http.StatusCreated, h.do("POST", "/api/v1/projects/"+project+"/users", map[string]any{"email": email}))
}

func TestProjectCreate(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	res := h.must(http.StatusCreated, h.do("POST", "/api/v1/projects", `{"project_name": "  my-project "}`))
	assert.Equal(t, "Project created successfully", res.Body["message"])
	assert.Equal(t, "my-project", res.data()["project_name"])
	assert.Regexp(t, `^[0-9a-f-]{36}$`, res.data()["project_id"])
	assert.Len(t, res.data(), 2, "exactly {project_id, project_name}")
	for _, tc := range []struct {
		name, body string
		status     int
		category   string
		detail     string
	}{
		{"malformed JSON", `{"project_name": `, 400, "invalid", "malformed JSON"},
		{"wrong type", `{"project_name": ["x"]}`, 400, "invalid", "project_name"},
		{"body not an object", `"x"`, 400, "invalid", "object"},
		{"missing field", `{}`, 400, "invalid", "project_name is required"},
		{"empty body", ``, 400, "invalid", "project_name is required"},
		{"slash", `{"project_name": "a/b"}`, 400, "invalid", "'/'"},
		{"too long", fmt.Sprintf(`{"project_name": %q}`, strings.Repeat("p", 129)), 400, "invalid", "128"},
		{"duplicate", `{"project_name": "my-project"}`, 409, "conflict", `"my-project" already exists`},
		{"huge body", `{"project_name": "` + strings.Repeat("x", 2<<20) + `"}`, 413, "payload_too_large", "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assertError(t, h.do("POST", "/api/v1/projects", tc.body), tc.status, tc.category, tc.detail)
		})
	}
}

func TestProjectListGetAndPaging(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	empty := h.must(http.StatusOK, h.do("GET", "/api/v1/projects", nil))
	assert.Equal(t, []any{}, empty.Body["data"])
	assert.Equal(t, "0", empty.Header.Get("X-Total-Count"))
	cfgID := h.seedConfig("cfg", "github")
	p1 := h.seedProject("p1", "cfg")
	h.seedProject("p2", "")
	h.seedProject("p3", "")
	h.seedUser("alice@example.com")
	h.seedMember("p1", "alice@example.com")

	items := h.must(http.StatusOK, h.do("GET", "/api/v1/projects", nil)).list()
	require.Len(t, items, 3)
	created := items[0]["created_at"]
	assert.Equal(t, map[string]any{"project_id": p1, "project_name": "p1", "users": 1.0, "api_keys": 0.0, "created_at": created,
		"mcp_config": map[string]any{"mcp_config_id": cfgID, "mcp_config_name": "cfg"}}, items[0])
	assert.Nil(t, items[1]["mcp_config"])
	assert.Contains(t, items[1], "mcp_config", "null, not absent")

	page := h.must(http.StatusOK, h.do("GET", "/api/v1/projects?limit=1&offset=2", nil))
	assert.Equal(t, "3", page.Header.Get("X-Total-Count"))
	require.Len(t, page.list(), 1)
	assert.Equal(t, "p3", page.list()[0]["project_name"])
	assertError(t, h.do("GET", "/api/v1/projects?offset=-1", nil), 400, "invalid", "offset")

	for _, ident := range []string{p1, "p1"} {
		d := h.must(http.StatusOK, h.do("GET", "/api/v1/projects/"+ident, nil)).data()
		assert.Equal(t, p1, d["project_id"])
		assert.Equal(t, map[string]any{"mcp_config_id": cfgID, "mcp_config_name": "cfg"}, d["mcp_config"])
		users := d["users"].([]any)
		require.Len(t, users, 1)
		u := users[0].(map[string]any)
		assert.Equal(t, "alice@example.com", u["email"])
		assert.Regexp(t, `^[0-9a-f-]{36}$`, u["user_id"])
		assert.NotEmpty(t, u["created_at"])
	}
	assertError(t, h.do("GET", "/api/v1/projects/P1", nil), 404, "not_found", `project "P1" not found`)
}

func TestProjectConfigAssignment(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cfgID := h.seedConfig("cfg", "github")
	h.seedConfig("other")
	h.seedProject("p", "")
	assertError(t, h.do("GET", "/api/v1/projects/p/config", nil), 404, "not_found", "no configuration")

	byID := h.must(http.StatusOK, h.do("POST", "/api/v1/projects/p/assign-config", map[string]string{"config_id": cfgID})).data()
	assert.Equal(t, map[string]any{"mcp_config_id": cfgID, "mcp_config_name": "cfg"}, byID["mcp_config"])
	cfg := h.must(http.StatusOK, h.do("GET", "/api/v1/projects/p/config", nil)).data()
	assert.Equal(t, "cfg", cfg["mcp_config_name"])
	assert.Len(t, cfg["servers"], 1)
	assertError(t, h.do("DELETE", "/api/v1/configs/cfg", nil), 409, "conflict", "used by 1 project")

	for _, tc := range []struct {
		name   string
		body   any
		status int
		detail string
	}{
		{"neither field", `{}`, 400, "config_name or config_id is required"},
		{"wrong type", `{"config_name": 1}`, 400, "config_name"},
		{"malformed", `{"config_name"`, 400, "malformed JSON"},
		{"unknown name", map[string]string{"config_name": "nope"}, 404, `"nope"`},
		{"unknown id", map[string]string{"config_id": "00000000-0000-4000-8000-000000000000"}, 404, "00000000-0000-4000-8000-000000000000"},
		{"name given as id", map[string]string{"config_id": "cfg"}, 404, `"cfg" not found`},
		{"id and name disagree", map[string]string{"config_id": cfgID, "config_name": "other"}, 400, "different configurations"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			category := map[int]string{400: "invalid", 404: "not_found"}[tc.status]
			assertError(t, h.do("POST", "/api/v1/projects/p/assign-config", tc.body), tc.status, category, tc.detail)
		})
	}
	reassigned := h.must(http.StatusOK, h.do("POST", "/api/v1/projects/p/assign-config", map[string]string{"config_name": "other"})).data()
	assert.Equal(t, "other", reassigned["mcp_config"].(map[string]any)["mcp_config_name"])

	un := h.must(http.StatusOK, h.do("POST", "/api/v1/projects/p/unassign-config", nil)).data()
	assert.Equal(t, map[string]any{"project_id": un["project_id"], "project_name": "p", "mcp_config": nil}, un)
	h.must(http.StatusOK, h.do("POST", "/api/v1/projects/p/unassign-config", nil))
	assertError(t, h.do("GET", "/api/v1/projects/p/config", nil), 404, "not_found", "no configuration")
	h.must(http.StatusOK, h.do("DELETE", "/api/v1/configs/other", nil))
}

func TestProjectMembers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedProject("p", "")
	aliceID := h.seedUser("alice@example.com")
	h.seedUser("bob@example.com")

	added := h.must(http.StatusCreated, h.do("POST", "/api/v1/projects/p/users", map[string]string{"email": "Alice@Example.com"}))
	assert.Equal(t, "User added to project", added.Body["message"])
	assert.Equal(t, "alice@example.com", added.data()["email"])
	assert.Equal(t, aliceID, added.data()["user_id"])
	h.must(http.StatusCreated, h.do("POST", "/api/v1/projects/p/users", `{"user_id": "`+h.userID("bob@example.com")+`"}`))

	for _, tc := range []struct {
		name, body string
		status     int
		detail     string
	}{
		{"already a member", `{"email": "alice@example.com"}`, 409, "already a member"},
		{"already a member by id", `{"user_id": "` + aliceID + `"}`, 409, "already a member"},
		{"neither field", `{}`, 400, "user_id or email is required"},
		{"bad email", `{"email": "not-an-email"}`, 400, "email must be a single valid e-mail address"},
		{"two addresses", `{"email": "a@example.com, b@example.com"}`, 400, "email"},
		{"wrong type", `{"email": true}`, 400, "email"},
		{"malformed", `{"email": `, 400, "malformed JSON"},
		{"unknown email", `{"email": "carol@example.com"}`, 404, "carol@example.com"},
		{"unknown id", `{"user_id": "nope"}`, 404, "nope"},
		{"id and email disagree", `{"user_id": "` + aliceID + `", "email": "bob@example.com"}`, 400, "different users"},
		{"huge", `{"email": "` + strings.Repeat("a", 2<<20) + `"}`, 413, "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			category := map[int]string{400: "invalid", 404: "not_found", 409: "conflict", 413: "payload_too_large"}[tc.status]
			assertError(t, h.do("POST", "/api/v1/projects/p/users", tc.body), tc.status, category, tc.detail)
		})
	}
	assertError(t, h.do("POST", "/api/v1/projects/nope/users", `{"email": "alice@example.com"}`), 404, "not_found", `project "nope"`)

	members := h.must(http.StatusOK, h.do("GET", "/api/v1/projects/p/users", nil)).list()
	require.Len(t, members, 2)
	assert.Equal(t, "alice@example.com", members[0]["email"])
	assert.EqualValues(t, 0, members[0]["api_keys"])
	assert.Contains(t, members[0], "created_at")

	removed := h.must(http.StatusOK, h.do("DELETE", "/api/v1/projects/p/users/ALICE@example.com", nil)).data()
	assert.Equal(t, "alice@example.com", removed["email"])
	assert.EqualValues(t, 0, removed["inactive_api_keys"])
	assertError(t, h.do("DELETE", "/api/v1/projects/p/users/alice@example.com", nil), 404, "not_found", "not a member")
	assertError(t, h.do("DELETE", "/api/v1/projects/p/users/ghost@example.com", nil), 404, "not_found", "ghost@example.com")
	assertError(t, h.do("DELETE", "/api/v1/projects/nope/users/alice@example.com", nil), 404, "not_found", `"nope"`)

	all := h.must(http.StatusOK, h.do("DELETE", "/api/v1/projects/p/users", nil)).data()
	assert.EqualValues(t, 1, all["deleted"])
	assert.Equal(t, []any{}, h.must(http.StatusOK, h.do("GET", "/api/v1/projects/p/users", nil)).Body["data"])
	assertError(t, h.do("DELETE", "/api/v1/projects/nope/users", nil), 404, "not_found")
}

func TestProjectDelete(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedConfig("cfg")
	id := h.seedProject("p", "cfg")
	h.seedUser("alice@example.com")
	h.seedMember("p", "alice@example.com")
	keyID, _ := h.seedKey("alice@example.com", "p")
	assertError(t, h.do("DELETE", "/api/v1/projects/p", nil), 409, "conflict", "referenced by 1 API key")
	h.must(http.StatusOK, h.do("DELETE", "/api/v1/api-keys/"+keyID, nil))
	res := h.must(http.StatusOK, h.do("DELETE", "/api/v1/projects/"+id, nil))
	assert.Equal(t, map[string]any{"project_id": id, "project_name": "p"}, res.data())
	assertError(t, h.do("DELETE", "/api/v1/projects/p", nil), 404, "not_found")
	user := h.must(http.StatusOK, h.do("GET", "/api/v1/users/alice@example.com", nil)).data()
	assert.Equal(t, []any{}, user["projects"], "memberships went with the project")
	h.must(http.StatusOK, h.do("DELETE", "/api/v1/configs/cfg", nil))
}

func TestProjectSearch(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedProject("Payments", "")
	h.seedProject("web_shop", "")
	h.seedProject("webXshop", "")
	h.seedUser("ops.pay@example.com")
	h.seedMember("webXshop", "ops.pay@example.com")
	hits := h.must(http.StatusOK, h.do("POST", "/api/v1/projects/search", `{"search_term": "PAY"}`)).list()
	require.Len(t, hits, 2)
	assert.Equal(t, "Payments", hits[0]["project_name"])
	assert.Equal(t, "webXshop", hits[1]["project_name"], "matched on a member's email")
	assert.EqualValues(t, 1, hits[1]["users"])
	literal := h.must(http.StatusOK, h.do("POST", "/api/v1/projects/search", `{"search_term": "b_s"}`)).list()
	require.Len(t, literal, 1)
	assert.Equal(t, "web_shop", literal[0]["project_name"])
	assert.Equal(t, []any{}, h.must(http.StatusOK, h.do("POST", "/api/v1/projects/search", `{"search_term": "zzz"}`)).Body["data"])
	assertError(t, h.do("POST", "/api/v1/projects/search", `{}`), 400, "invalid", "search_term is required")
	assertError(t, h.do("POST", "/api/v1/projects/search", `{"search_term": 3}`), 400, "invalid", "search_term")
}

func TestProjectExport(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cfgID := h.seedConfig("cfg", "github")
	id := h.seedProject("p", "cfg")
	h.seedUser("alice@example.com")
	h.seedMember("p", "alice@example.com")
	doc := h.must(http.StatusOK, h.do("POST", "/api/v1/projects/p/export", `{"output_file": "exports/p.json"}`)).data()
	assert.Equal(t, id, doc["project_id"])
	assert.NotEmpty(t, doc["exported_at"])
	assert.Equal(t, cfgID, doc["project"].(map[string]any)["mcp_config_id"])
	assert.Equal(t, "cfg", doc["config"].(map[string]any)["mcp_config_name"])
	assert.Len(t, doc["config"].(map[string]any)["mcp_config"], 1)
	users := doc["users"].([]any)
	require.Len(t, users, 1)
	assert.Equal(t, "alice@example.com", users[0].(map[string]any)["email"])

	path := filepath.Join(h.dataDir, "exports", "p.json")
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var onDisk map[string]any
	require.NoError(t, json.Unmarshal(data, &onDisk))
	assert.Equal(t, doc, onDisk)

	h.seedProject("bare", "")
	bare := h.must(http.StatusOK, h.do("POST", "/api/v1/projects/bare/export", `{"output_file": "bare.json"}`)).data()
	assert.Nil(t, bare["config"])
	assert.Equal(t, []any{}, bare["users"])

	for _, name := range []string{"../out.json", "/tmp/out.json", ""} {
		assertError(t, h.do("POST", "/api/v1/projects/p/export", map[string]string{"output_file": name}), 400, "invalid", "output_file")
	}
	assertError(t, h.do("POST", "/api/v1/projects/nope/export", `{"output_file": "nope.json"}`), 404, "not_found")
	_, err = os.Stat(filepath.Join(h.dataDir, "nope.json"))
	assert.True(t, os.IsNotExist(err))
}

var projectRoutesWithBody = []configRoute{
	{"POST", "/api/v1/projects", `{"project_name": "fresh"}`},
	{"POST", "/api/v1/projects/search", `{"search_term": "x"}`},
	{"POST", "/api/v1/projects/p/assign-config", `{"config_name": "cfg"}`},
	{"POST", "/api/v1/projects/p/users", `{"email": "alice@example.com"}`},
	{"POST", "/api/v1/projects/p/export", `{"output_file": "p.json"}`},
}

func TestProjectRoutesRejectMalformedAndHugeBodies(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedConfig("cfg")
	h.seedProject("p", "")
	huge := `{"pad": "` + strings.Repeat("x", 2<<20) + `"}`
	for _, r := range projectRoutesWithBody {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			assertError(t, h.do(r.method, r.path, `{"broken": `), http.StatusBadRequest, "invalid", "malformed JSON")
			assertError(t, h.do(r.method, r.path, `[1]`), http.StatusBadRequest, "invalid", "object")
			assertError(t, h.do(r.method, r.path, huge), http.StatusRequestEntityTooLarge, "payload_too_large")
			assertError(t, h.doChunked(r.method, r.path, huge), http.StatusRequestEntityTooLarge, "payload_too_large")
			assertError(t, h.doWith(r.method, r.path, r.body, nil), http.StatusUnauthorized, "unauthorized")
		})
	}
}

func TestProjectRoutesAnswer404ForUnknownProjects(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, r := range []configRoute{
		{"GET", "/api/v1/projects/missing", ""},
		{"DELETE", "/api/v1/projects/missing", ""},
		{"POST", "/api/v1/projects/missing/assign-config", `{"config_name": "x"}`},
		{"POST", "/api/v1/projects/missing/unassign-config", ""},
		{"GET", "/api/v1/projects/missing/config", ""},
		{"GET", "/api/v1/projects/missing/users", ""},
		{"POST", "/api/v1/projects/missing/users", `{"email": "a@example.com"}`},
		{"DELETE", "/api/v1/projects/missing/users", ""},
		{"DELETE", "/api/v1/projects/missing/users/a@example.com", ""},
		{"POST", "/api/v1/projects/missing/export", `{"output_file": "x.json"}`},
	} {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			var body any
			if r.body != "" {
				body = r.body
			}
			assertError(t, h.do(r.method, r.path, body), http.StatusNotFound, "not_found", `"missing"`)
		})
	}
}

// Every list pages: the members of a project, a user's projects and keys, a
// configuration's servers and projects, and search hits, like the top-level lists.
func TestSubListsAndSearchesPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedConfig("cfg", "github", "slack", "fetch")
	h.seedConfig("other-cfg")
	h.seedConfig("cfg-3")
	for _, p := range []string{"team-a", "team-b", "team-c"} {
		h.seedProject(p, "cfg")
	}
	for _, u := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		h.seedUser(u)
		h.seedMember("team-a", u)
	}
	h.seedMember("team-b", "a@example.com")
	h.seedMember("team-c", "a@example.com")
	for _, p := range []string{"team-a", "team-b", "team-c"} {
		h.seedKey("a@example.com", p)
	}
	for _, tc := range []struct {
		method, path, body, field string
		want                      []string
	}{
		{"GET", "/api/v1/projects/team-a/users?limit=2&offset=1", "", "email", []string{"b@example.com", "c@example.com"}},
		{"GET", "/api/v1/users/a@example.com/projects?limit=1&offset=2", "", "project_name", []string{"team-c"}},
		{"GET", "/api/v1/users/a@example.com/api-keys?limit=2", "", "project_name", []string{"team-a", "team-b"}},
		{"POST", "/api/v1/projects/search?offset=1", `{"search_term": "team"}`, "project_name", []string{"team-b", "team-c"}},
		{"POST", "/api/v1/users/search?limit=1&offset=5", `{"search_term": "example"}`, "email", []string{}},
		{"GET", "/api/v1/configs/cfg/servers?limit=1&offset=1", "", "server_name", []string{"slack"}},
		{"GET", "/api/v1/configs/cfg/projects?offset=2", "", "project_name", []string{"team-c"}},
		{"POST", "/api/v1/configs/search?limit=2", `{"search_term": "CFG"}`, "mcp_config_name", []string{"cfg", "other-cfg"}},
		// The largest limit a client can send: no overflow, the rest of the list.
		{"GET", "/api/v1/projects/team-a/users?limit=9223372036854775807&offset=1", "", "email", []string{"b@example.com", "c@example.com"}},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			var body any
			if tc.body != "" {
				body = tc.body
			}
			res := h.must(http.StatusOK, h.do(tc.method, tc.path, body))
			assert.Equal(t, "3", res.Header.Get("X-Total-Count"))
			got := []string{}
			for _, item := range res.list() {
				got = append(got, item[tc.field].(string))
			}
			assert.Equal(t, tc.want, got)
			bad := strings.Replace(tc.path, "?", "?limit=-2&", 1)
			assertError(t, h.do(tc.method, bad, body), 400, "invalid", "limit must be a non-negative integer")
		})
	}
}
