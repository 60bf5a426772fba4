package controllers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUserCreate(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	res := h.must(http.StatusCreated, h.do("POST", "/api/v1/users", `{"email": "  Alice.Smith@Example.COM "}`))
	assert.Equal(t, "User created successfully", res.Body["message"])
	assert.Equal(t, "alice.smith@example.com", res.data()["email"], "trimmed and lowercased")
	assert.Regexp(t, `^[0-9a-f-]{36}$`, res.data()["user_id"])
	assert.Len(t, res.data(), 2, "exactly {user_id, email}")
	for _, tc := range []struct {
		name, body string
		status     int
		category   string
		detail     string
	}{
		{"malformed JSON", `{"email": `, 400, "invalid", "malformed JSON"},
		{"wrong type", `{"email": 5}`, 400, "invalid", "field email must be of type string"},
		{"not an object", `["a@example.com"]`, 400, "invalid", "object"},
		{"missing", `{}`, 400, "invalid", "email is required"},
		{"empty body", ``, 400, "invalid", "email is required"},
		{"no at sign", `{"email": "alice"}`, 400, "invalid", "single valid e-mail address"},
		{"no domain dot", `{"email": "alice@localhost"}`, 400, "invalid", "single valid e-mail address"},
		{"display name", `{"email": "Alice <alice@example.com>"}`, 400, "invalid", "single valid e-mail address"},
		{"two addresses", `{"email": "a@example.com, b@example.com"}`, 400, "invalid", "single valid e-mail address"},
		{"too long", fmt.Sprintf(`{"email": "%s@example.com"}`, strings.Repeat("a", 250)), 400, "invalid", "email"},
		{"duplicate", `{"email": "alice.smith@example.com"}`, 409, "conflict", `"alice.smith@example.com" already exists`},
		{"duplicate in other case", `{"email": "ALICE.SMITH@example.com"}`, 409, "conflict", "already exists"},
		{"huge body", `{"email": "` + strings.Repeat("x", 2<<20) + `"}`, 413, "payload_too_large", "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assertError(t, h.do("POST", "/api/v1/users", tc.body), tc.status, tc.category, tc.detail)
		})
	}
}

func TestUserListGetAndPaging(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	empty := h.must(http.StatusOK, h.do("GET", "/api/v1/users", nil))
	assert.Equal(t, []any{}, empty.Body["data"])
	assert.Equal(t, "0", empty.Header.Get("X-Total-Count"))
	h.seedConfig("cfg", "github")
	pid := h.seedProject("p", "cfg")
	alice := h.seedUser("alice@example.com")
	h.seedUser("bob@example.com")
	h.seedUser("carol@example.com")
	h.seedMember("p", "alice@example.com")
	keyID, secret := h.seedKey("alice@example.com", "p")

	items := h.must(http.StatusOK, h.do("GET", "/api/v1/users", nil)).list()
	require.Len(t, items, 3)
	assert.Equal(t, map[string]any{"user_id": alice, "email": "alice@example.com", "created_at": items[0]["created_at"],
		"projects": []any{map[string]any{"project_id": pid, "project_name": "p"}}, "api_keys": 1.0}, items[0])
	assert.Equal(t, []any{}, items[1]["projects"])
	page := h.must(http.StatusOK, h.do("GET", "/api/v1/users?limit=2&offset=1", nil))
	assert.Equal(t, "3", page.Header.Get("X-Total-Count"))
	require.Len(t, page.list(), 2)
	assert.Equal(t, "bob@example.com", page.list()[0]["email"])
	assertError(t, h.do("GET", "/api/v1/users?limit=abc", nil), 400, "invalid", "limit")

	for _, ident := range []string{alice, "alice@example.com", "ALICE@EXAMPLE.COM"} {
		res := h.must(http.StatusOK, h.do("GET", "/api/v1/users/"+ident, nil))
		d := res.data()
		assert.Equal(t, alice, d["user_id"])
		projects := d["projects"].([]any)
		require.Len(t, projects, 1)
		assert.Equal(t, "cfg", projects[0].(map[string]any)["mcp_config"].(map[string]any)["mcp_config_name"])
		keys := d["api_keys"].([]any)
		require.Len(t, keys, 1)
		key := keys[0].(map[string]any)
		assert.Equal(t, keyID, key["key_id"])
		assert.Equal(t, "smg_…"+secret[len(secret)-4:], key["masked"])
		assert.Equal(t, "active", key["status"])
		assert.NotContains(t, string(res.Raw), secret, "the secret is never listed")
	}
	assertError(t, h.do("GET", "/api/v1/users/nobody@example.com", nil), 404, "not_found", `user "nobody@example.com" not found`)

	projects := h.must(http.StatusOK, h.do("GET", "/api/v1/users/alice@example.com/projects", nil)).list()
	require.Len(t, projects, 1)
	assert.Equal(t, "p", projects[0]["project_name"])
	assert.EqualValues(t, 1, projects[0]["api_keys"])
	assert.Equal(t, []any{}, h.must(http.StatusOK, h.do("GET", "/api/v1/users/bob@example.com/projects", nil)).Body["data"])
	assertError(t, h.do("GET", "/api/v1/users/nobody@example.com/projects", nil), 404, "not_found")
}

func TestUserUpdateEmail(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.seedUser("alice@example.com")
	h.seedUser("bob@example.com")
	res := h.must(http.StatusOK, h.do("PUT", "/api/v1/users/alice@example.com", `{"new_email": "Alice@Example.org"}`))
	assert.Equal(t, map[string]any{"user_id": id, "email": "alice@example.org"}, res.data())
	h.must(http.StatusOK, h.do("PUT", "/api/v1/users/"+id, `{"new_email": "alice@example.org"}`))
	h.must(http.StatusOK, h.do("PUT", "/api/v1/users/"+id, `{"new_email": "ALICE@example.org"}`)) // its own, in another case
	for _, tc := range []struct {
		name, path, body string
		status           int
		detail           string
	}{
		{"taken", "/api/v1/users/" + id, `{"new_email": "BOB@example.com"}`, 409, "already exists"},
		{"invalid", "/api/v1/users/" + id, `{"new_email": "bob"}`, 400, "new_email must be a single valid e-mail address"},
		{"missing", "/api/v1/users/" + id, `{}`, 400, "new_email is required"},
		{"wrong type", "/api/v1/users/" + id, `{"new_email": {}}`, 400, "new_email"},
		{"malformed", "/api/v1/users/" + id, `{"new_email"`, 400, "malformed JSON"},
		{"unknown user", "/api/v1/users/ghost@example.com", `{"new_email": "x@example.com"}`, 404, "ghost@example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			category := map[int]string{400: "invalid", 404: "not_found", 409: "conflict"}[tc.status]
			assertError(t, h.do("PUT", tc.path, tc.body), tc.status, category, tc.detail)
		})
	}
	assertError(t, h.do("GET", "/api/v1/users/alice@example.com", nil), 404, "not_found")
}

func TestUserDelete(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedConfig("cfg")
	h.seedProject("p", "cfg")
	id := h.seedUser("alice@example.com")
	h.seedUser("bob@example.com")
	h.seedMember("p", "alice@example.com")
	h.seedKey("alice@example.com", "p")

	assertError(t, h.do("DELETE", "/api/v1/users/alice@example.com", nil), 409, "conflict", "1 API key(s) and 1 project membership(s)", `"force": true`)
	assertError(t, h.do("DELETE", "/api/v1/users/alice@example.com", `{"force": false}`), 409, "conflict")
	assertError(t, h.do("DELETE", "/api/v1/users/alice@example.com", `{"force": "yes"}`), 400, "invalid", "field force must be of type boolean")
	assertError(t, h.do("DELETE", "/api/v1/users/alice@example.com", `{"force": `), 400, "invalid", "malformed JSON")
	assertError(t, h.do("DELETE", "/api/v1/users/alice@example.com", `{"force": true, "pad": "`+strings.Repeat("x", 2<<20)+`"}`), 413, "payload_too_large")
	assertError(t, h.do("DELETE", "/api/v1/users/ghost@example.com", `{"force": true}`), 404, "not_found", "ghost@example.com")
	h.must(http.StatusOK, h.do("GET", "/api/v1/users/alice@example.com", nil))

	res := h.must(http.StatusOK, h.do("DELETE", "/api/v1/users/ALICE@example.com", `{"force": true}`))
	assert.Equal(t, map[string]any{"user_id": id, "email": "alice@example.com", "deleted_api_keys": 1.0, "deleted_memberships": 1.0}, res.data())
	assertError(t, h.do("GET", "/api/v1/users/alice@example.com", nil), 404, "not_found")
	assert.Equal(t, "0", h.must(http.StatusOK, h.do("GET", "/api/v1/api-keys", nil)).Header.Get("X-Total-Count"))
	assert.Equal(t, []any{}, h.must(http.StatusOK, h.do("GET", "/api/v1/projects/p/users", nil)).Body["data"])

	plain := h.must(http.StatusOK, h.do("DELETE", "/api/v1/users/bob@example.com", nil))
	assert.EqualValues(t, 0, plain.data()["deleted_api_keys"])
	h.must(http.StatusCreated, h.do("POST", "/api/v1/users", `{"email": "alice@example.com"}`)) // the email is free again
}

func TestUserSearch(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedProject("Alpha_Team", "")
	h.seedUser("alpha@example.com")
	h.seedUser("bob@example.com")
	h.seedUser("carol@example.com")
	h.seedMember("Alpha_Team", "carol@example.com")
	hits := h.must(http.StatusOK, h.do("POST", "/api/v1/users/search", `{"search_term": "ALPHA"}`)).list()
	require.Len(t, hits, 2)
	assert.Equal(t, "alpha@example.com", hits[0]["email"])
	assert.Equal(t, "carol@example.com", hits[1]["email"], "matched on a project name")
	assert.Len(t, hits[1]["projects"], 1)
	literal := h.must(http.StatusOK, h.do("POST", "/api/v1/users/search", `{"search_term": "a_t"}`)).list()
	require.Len(t, literal, 1)
	assert.Equal(t, "carol@example.com", literal[0]["email"])
	assert.Equal(t, []any{}, h.must(http.StatusOK, h.do("POST", "/api/v1/users/search", `{"search_term": "%"}`)).Body["data"])
	assertError(t, h.do("POST", "/api/v1/users/search", `{"search_term": ""}`), 400, "invalid", "search_term is required")
	assertError(t, h.do("POST", "/api/v1/users/search", `{"search_term": null, "x": [}`), 400, "invalid", "malformed JSON")
}

var userRoutesWithBody = []configRoute{
	{"POST", "/api/v1/users", `{"email": "fresh@example.com"}`},
	{"POST", "/api/v1/users/search", `{"search_term": "x"}`},
	{"PUT", "/api/v1/users/alice@example.com", `{"new_email": "fresh@example.com"}`},
	{"DELETE", "/api/v1/users/alice@example.com", `{"force": true}`},
	{"POST", "/api/v1/users/alice@example.com/api-keys", `{"project_name": "p"}`},
	{"POST", "/api/v1/api-keys/rotate", `{"api_key": "x"}`},
}

func TestUserAndKeyRoutesRejectMalformedAndHugeBodies(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedProject("p", "")
	h.seedUser("alice@example.com")
	huge := `{"pad": "` + strings.Repeat("x", 2<<20) + `"}`
	for _, r := range userRoutesWithBody {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			assertError(t, h.do(r.method, r.path, `{"broken": `), http.StatusBadRequest, "invalid", "malformed JSON")
			assertError(t, h.do(r.method, r.path, `[1]`), http.StatusBadRequest, "invalid", "object")
			assertError(t, h.do(r.method, r.path, huge), http.StatusRequestEntityTooLarge, "payload_too_large")
			assertError(t, h.doChunked(r.method, r.path, huge), http.StatusRequestEntityTooLarge, "payload_too_large")
			assertError(t, h.doWith(r.method, r.path, r.body, nil), http.StatusUnauthorized, "unauthorized")
		})
	}
	h.must(http.StatusOK, h.do("GET", "/api/v1/users/alice@example.com", nil))
}

func TestUserAndKeyRoutesAnswer404ForUnknownIdentifiers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, r := range []configRoute{
		{"GET", "/api/v1/users/missing", ""},
		{"PUT", "/api/v1/users/missing", `{"new_email": "x@example.com"}`},
		{"DELETE", "/api/v1/users/missing", ""},
		{"GET", "/api/v1/users/missing/projects", ""},
		{"POST", "/api/v1/users/missing/api-keys", `{"project_name": "p"}`},
		{"GET", "/api/v1/users/missing/api-keys", ""},
		{"DELETE", "/api/v1/users/missing/api-keys", ""},
	} {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			var body any
			if r.body != "" {
				body = r.body
			}
			assertError(t, h.do(r.method, r.path, body), http.StatusNotFound, "not_found", `"missing"`)
		})
	}
	// Key references are never echoed (a secret that lost its prefix would be).
	for _, r := range []configRoute{
		{"GET", "/api/v1/api-keys/missing", ""},
		{"DELETE", "/api/v1/api-keys/missing", ""},
		{"POST", "/api/v1/api-keys/missing/disable", ""},
		{"POST", "/api/v1/api-keys/missing/enable", ""},
		{"POST", "/api/v1/api-keys/rotate", `{"api_key": "missing"}`},
	} {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			var body any
			if r.body != "" {
				body = r.body
			}
			res := h.do(r.method, r.path, body)
			assertError(t, res, http.StatusNotFound, "not_found", "no API key has this id")
			assert.NotContains(t, string(res.Raw), "missing")
		})
	}
}
