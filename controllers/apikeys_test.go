package controllers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/services/access"
	"github.com/securemcp/gateway/services/keymaterial"
)

// keyFixture is a configuration, a project using it and a member.
func keyFixture(t *testing.T) *harness {
	h := newHarness(t)
	h.seedConfig("cfg", "github")
	h.seedProject("p", "cfg")
	h.seedUser("alice@example.com")
	h.seedMember("p", "alice@example.com")
	return h
}

func TestAPIKeyGenerate(t *testing.T) {
	t.Parallel()
	h := keyFixture(t)
	res := h.must(http.StatusCreated, h.do("POST", "/api/v1/users/Alice@Example.com/api-keys", `{"project_name": "p"}`))
	d := res.data()
	secret := d["api_key"].(string)
	assert.Regexp(t, `^smg_[0-9A-Za-z]{49}$`, secret)
	assert.Regexp(t, `^[0-9a-f-]{36}$`, d["key_id"])
	assert.Equal(t, h.userID("alice@example.com"), d["user_id"])
	assert.NotEmpty(t, d["project_id"])
	assert.NotEmpty(t, d["created_at"])
	assert.Nil(t, d["expires_at"])
	v, err := h.svc.APIKeys.Verify(context.Background(), secret)
	require.NoError(t, err)
	assert.Equal(t, "cfg", v.Config.Name)

	future := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	withExpiry := h.must(http.StatusCreated, h.do("POST", "/api/v1/users/alice@example.com/api-keys",
		`{"project_id": "`+d["project_id"].(string)+`", "expires_at": "`+future+`"}`)).data()
	assert.Equal(t, future, withExpiry["expires_at"])
	assert.NotEqual(t, secret, withExpiry["api_key"])

	h.seedUser("bob@example.com")
	h.seedProject("other", "")
	for _, tc := range []struct {
		name, user, body string
		status           int
		detail           string
	}{
		{"not a member", "bob@example.com", `{"project_name": "p"}`, 409, `user "bob@example.com" is not a member of project "p"`},
		{"no project field", "alice@example.com", `{}`, 400, "project_name or project_id is required"},
		{"unknown project", "alice@example.com", `{"project_name": "nope"}`, 404, `project "nope" not found`},
		{"unknown project id", "alice@example.com", `{"project_id": "nope"}`, 404, `project id "nope" not found`},
		{"id and name disagree", "alice@example.com", `{"project_id": "` + d["project_id"].(string) + `", "project_name": "other"}`, 400, "different projects"},
		{"unknown user", "ghost@example.com", `{"project_name": "p"}`, 404, `user "ghost@example.com" not found`},
		{"expiry in the past", "alice@example.com", `{"project_name": "p", "expires_at": "2020-01-01T00:00:00Z"}`, 400, "expires_at must be in the future"},
		{"expiry not RFC 3339", "alice@example.com", `{"project_name": "p", "expires_at": "tomorrow"}`, 400, "expires_at must be an RFC 3339 time"},
		{"expiry beyond the storable range", "alice@example.com", `{"project_name": "p", "expires_at": "2300-01-01T00:00:00Z"}`, 400, "expires_at must lie between 1678-01-01 and 2262-04-11"},
		{"expiry wrong type", "alice@example.com", `{"project_name": "p", "expires_at": 1700000000}`, 400, "field expires_at must be of type string"},
		{"project wrong type", "alice@example.com", `{"project_name": ["p"]}`, 400, "project_name"},
		{"malformed", "alice@example.com", `{"project_name": "p"`, 400, "malformed JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			category := map[int]string{400: "invalid", 404: "not_found", 409: "conflict"}[tc.status]
			assertError(t, h.do("POST", "/api/v1/users/"+tc.user+"/api-keys", tc.body), tc.status, category, tc.detail)
		})
	}
	assert.Equal(t, "2", h.must(http.StatusOK, h.do("GET", "/api/v1/api-keys", nil)).Header.Get("X-Total-Count"), "failures create nothing")
}

func TestAPIKeyListingsAreMasked(t *testing.T) {
	t.Parallel()
	h := keyFixture(t)
	h.seedProject("p2", "")
	h.seedMember("p2", "alice@example.com")
	id1, s1 := h.seedKey("alice@example.com", "p")
	_, s2 := h.seedKey("alice@example.com", "p2")
	res := h.must(http.StatusOK, h.do("GET", "/api/v1/api-keys", nil))
	assert.Equal(t, "2", res.Header.Get("X-Total-Count"))
	items := res.list()
	require.Len(t, items, 2)
	for _, s := range []string{s1, s2} {
		assert.NotContains(t, string(res.Raw), s)
		assert.NotContains(t, string(res.Raw), keymaterial.HashAPIKeySecret(s), "nor its hash")
	}
	first := items[0]
	aliceID := h.userID("alice@example.com")
	assert.Equal(t, id1, first["key_id"])
	assert.Equal(t, "smg_…"+s1[len(s1)-4:], first["masked"])
	assert.Equal(t, map[string]any{"user_id": aliceID, "email": "alice@example.com"}, first["user"])
	assert.Equal(t, "p", first["project"].(map[string]any)["project_name"])
	assert.Equal(t, "alice@example.com", first["user_email"])
	assert.Equal(t, "p", first["project_name"])
	for _, field := range []string{"created_at", "disabled", "disabled_at", "enabled_at", "expires_at", "last_used_at", "status", "inactive_reason"} {
		assert.Contains(t, first, field)
	}
	assert.Equal(t, false, first["disabled"])
	assert.Equal(t, "active", first["status"])
	assert.Nil(t, first["inactive_reason"])
	assert.Equal(t, "inactive", items[1]["status"], "p2 has no configuration")
	assert.Equal(t, "no_configuration", items[1]["inactive_reason"])

	page := h.must(http.StatusOK, h.do("GET", "/api/v1/api-keys?limit=1&offset=1", nil))
	assert.Equal(t, "2", page.Header.Get("X-Total-Count"))
	require.Len(t, page.list(), 1)
	assert.Equal(t, items[1]["key_id"], page.list()[0]["key_id"])
	for _, q := range []string{"limit=-1", "limit=many", "offset=0.5"} {
		assertError(t, h.do("GET", "/api/v1/api-keys?"+q, nil), 400, "invalid", "non-negative integer")
	}

	mine := h.must(http.StatusOK, h.do("GET", "/api/v1/users/alice@example.com/api-keys", nil)).list()
	assert.Len(t, mine, 2)
	onlyP := h.must(http.StatusOK, h.do("GET", "/api/v1/users/alice@example.com/api-keys?project_identifier=p", nil)).list()
	require.Len(t, onlyP, 1)
	assert.Equal(t, id1, onlyP[0]["key_id"])
	assertError(t, h.do("GET", "/api/v1/users/alice@example.com/api-keys?project_identifier=nope", nil), 404, "not_found", `"nope"`)

	for _, ref := range []string{id1, s1} {
		detail := h.must(http.StatusOK, h.do("GET", "/api/v1/api-keys/"+ref, nil))
		assert.Equal(t, id1, detail.data()["key_id"])
		assert.Equal(t, "cfg", detail.data()["mcp_config"].(map[string]any)["mcp_config_name"])
		assert.NotContains(t, string(detail.Raw), s1)
	}
}

func TestAPIKeySecretsInPaths(t *testing.T) {
	t.Parallel()
	h := keyFixture(t)
	_, secret := h.seedKey("alice@example.com", "p")
	typo := secret[:10] + flip(secret[10]) + secret[11:]
	for _, path := range []string{"/api/v1/api-keys/" + typo, "/api/v1/api-keys/smg_short"} {
		res := h.do("GET", path, nil)
		assertError(t, res, 400, "invalid", "neither a key id nor a well-formed key secret")
		assert.NotContains(t, string(res.Raw), "smg_", "a secret is never echoed")
	}
	// A well-formed secret that no key has: that of a deleted key.
	goneID, gone := h.seedKey("alice@example.com", "p")
	h.must(http.StatusOK, h.do("DELETE", "/api/v1/api-keys/"+goneID, nil))
	res := h.do("GET", "/api/v1/api-keys/"+gone, nil)
	assertError(t, res, 404, "not_found", "no API key has this secret")
	assert.NotContains(t, string(res.Raw), gone)
	withoutPrefix := strings.TrimPrefix(secret, "smg_")
	res = h.do("GET", "/api/v1/api-keys/"+withoutPrefix, nil)
	assertError(t, res, 404, "not_found", "no API key has this id") // without the prefix it is taken for an id
	assert.NotContains(t, string(res.Raw), withoutPrefix)
}

// flip changes one base62 character into another.
func flip(c byte) string {
	if c == 'a' {
		return "b"
	}
	return "a"
}

func TestAPIKeyDisableEnableDelete(t *testing.T) {
	t.Parallel()
	h := keyFixture(t)
	id, secret := h.seedKey("alice@example.com", "p")
	ctx := context.Background()

	off := h.must(http.StatusOK, h.do("POST", "/api/v1/api-keys/"+secret+"/disable", nil)).data()
	assert.Equal(t, true, off["disabled"])
	assert.NotNil(t, off["disabled_at"])
	assert.Equal(t, "disabled", off["inactive_reason"])
	_, err := h.svc.APIKeys.Verify(ctx, secret)
	assert.Equal(t, access.ReasonDisabled, access.RefusalReason(err))
	again := h.must(http.StatusOK, h.do("POST", "/api/v1/api-keys/"+id+"/disable", nil)).data()
	assert.Equal(t, off["disabled_at"], again["disabled_at"], "disabling twice keeps the first time")

	on := h.must(http.StatusOK, h.do("POST", "/api/v1/api-keys/"+id+"/enable", nil)).data()
	assert.Equal(t, false, on["disabled"])
	assert.NotNil(t, on["enabled_at"])
	assert.Equal(t, "active", on["status"])
	_, err = h.svc.APIKeys.Verify(ctx, secret)
	require.NoError(t, err)

	deleted := h.must(http.StatusOK, h.do("DELETE", "/api/v1/api-keys/"+id, nil)).data()
	assert.Equal(t, id, deleted["key_id"])
	assertError(t, h.do("DELETE", "/api/v1/api-keys/"+id, nil), 404, "not_found")
	assertError(t, h.do("POST", "/api/v1/api-keys/"+secret+"/enable", nil), 404, "not_found", "no API key has this secret")
	_, err = h.svc.APIKeys.Verify(ctx, secret)
	assert.Equal(t, access.ReasonUnknown, access.RefusalReason(err))

	h.seedKey("alice@example.com", "p")
	h.seedKey("alice@example.com", "p")
	all := h.must(http.StatusOK, h.do("DELETE", "/api/v1/users/alice@example.com/api-keys", nil)).data()
	assert.EqualValues(t, 2, all["deleted"])
	assert.Equal(t, []any{}, h.must(http.StatusOK, h.do("GET", "/api/v1/users/alice@example.com/api-keys", nil)).Body["data"])
}

func TestAPIKeyRotate(t *testing.T) {
	t.Parallel()
	h := keyFixture(t)
	ctx := context.Background()
	id, old := h.seedKey("alice@example.com", "p")
	h.must(http.StatusOK, h.do("POST", "/api/v1/api-keys/"+id+"/disable", nil))

	res := h.must(http.StatusOK, h.do("POST", "/api/v1/api-keys/rotate", map[string]any{"api_key": old}))
	d := res.data()
	fresh := d["api_key"].(string)
	assert.NotEqual(t, old, fresh)
	assert.Equal(t, id, d["key_id"], "the key keeps its id")
	assert.Equal(t, true, d["disabled"], "rotation keeps the disabled state")
	assert.Nil(t, d["previous_expires_at"])
	h.must(http.StatusOK, h.do("POST", "/api/v1/api-keys/"+id+"/enable", nil))
	_, err := h.svc.APIKeys.Verify(ctx, fresh)
	require.NoError(t, err)
	_, err = h.svc.APIKeys.Verify(ctx, old)
	assert.Equal(t, access.ReasonUnknown, access.RefusalReason(err), "without grace the old secret stops at once")

	graced := h.must(http.StatusOK, h.do("POST", "/api/v1/api-keys/rotate", map[string]any{"api_key": id, "grace_period_seconds": 3600})).data()
	assert.NotNil(t, graced["previous_expires_at"])
	_, err = h.svc.APIKeys.Verify(ctx, fresh)
	require.NoError(t, err, "the previous secret verifies during the grace period")
	_, err = h.svc.APIKeys.Verify(ctx, graced["api_key"].(string))
	require.NoError(t, err)
	listed := h.must(http.StatusOK, h.do("GET", "/api/v1/api-keys/"+id, nil))
	assert.Equal(t, "smg_…"+graced["api_key"].(string)[len(fresh)-4:], listed.data()["masked"])
	assert.NotNil(t, listed.data()["rotated_at"])

	for _, tc := range []struct {
		name, body string
		status     int
		detail     string
	}{
		{"missing key", `{}`, 400, "api_key is required"},
		{"negative grace", `{"api_key": "` + id + `", "grace_period_seconds": -1}`, 400, "between 0 and 604800"},
		{"grace too long", `{"api_key": "` + id + `", "grace_period_seconds": 604801}`, 400, "between 0 and 604800"},
		{"grace overflow", `{"api_key": "` + id + `", "grace_period_seconds": 9223372036854775807}`, 400, "between 0 and 604800"},
		{"grace fraction", `{"api_key": "` + id + `", "grace_period_seconds": 1.5}`, 400, "field grace_period_seconds must be of type integer, not number 1.5"},
		{"grace string", `{"api_key": "` + id + `", "grace_period_seconds": "60"}`, 400, "grace_period_seconds"},
		{"key wrong type", `{"api_key": 1}`, 400, "api_key"},
		{"malformed secret", `{"api_key": "smg_nope"}`, 400, "well-formed"},
		{"unknown id", `{"api_key": "nope"}`, 404, "no API key has this id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			category := map[int]string{400: "invalid", 404: "not_found"}[tc.status]
			assertError(t, h.do("POST", "/api/v1/api-keys/rotate", tc.body), tc.status, category, tc.detail)
		})
	}
}

func TestAPIKeyStatusAfterMembershipRemoval(t *testing.T) {
	t.Parallel()
	h := keyFixture(t)
	id, secret := h.seedKey("alice@example.com", "p")
	removed := h.must(http.StatusOK, h.do("DELETE", "/api/v1/projects/p/users/alice@example.com", nil)).data()
	assert.EqualValues(t, 1, removed["inactive_api_keys"])
	_, err := h.svc.APIKeys.Verify(context.Background(), secret)
	assert.Equal(t, access.ReasonNotMember, access.RefusalReason(err))
	detail := h.must(http.StatusOK, h.do("GET", "/api/v1/api-keys/"+id, nil)).data()
	assert.Equal(t, "inactive", detail["status"])
	assert.Equal(t, "not_a_member", detail["inactive_reason"])
	assertError(t, h.do("DELETE", "/api/v1/projects/p", nil), 409, "conflict", "API key")
	h.seedMember("p", "alice@example.com")
	_, err = h.svc.APIKeys.Verify(context.Background(), secret)
	require.NoError(t, err, "re-adding the member revives the key")
}

// Keys restored from the original system's config file keep working with their
// old secrets, by Verify and on the {api_key} routes.
func TestAPIKeysRestoredFromTheOriginalSystemVerify(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	data, err := os.ReadFile("../testdata/enkrypt_mcp_config.json")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(h.dataDir, "original.json"), data, 0o600))
	h.must(http.StatusOK, h.do("POST", "/api/v1/system/restore", `{"input_file": "original.json"}`))
	var file struct {
		APIKeys map[string]map[string]any `json:"apikeys"`
	}
	require.NoError(t, json.Unmarshal(data, &file))
	require.NotEmpty(t, file.APIKeys)
	verified := 0
	for secret := range file.APIKeys {
		res := h.must(http.StatusOK, h.do("GET", "/api/v1/api-keys/"+secret, nil))
		assert.NotContains(t, string(res.Raw), secret)
		_, err := h.svc.APIKeys.Verify(context.Background(), secret)
		if err == nil {
			verified++
			assert.Equal(t, "active", res.data()["status"])
			continue
		}
		assert.Equal(t, string(access.RefusalReason(err)), res.data()["inactive_reason"], "the listing says why Verify refuses")
	}
	assert.Positive(t, verified)
}

// The original system's example file restores through the API: its
// placeholder key is listed disabled with its reason, and refuses to be
// enabled until a rotation gives it a secret.
func TestAPIKeyImportedWithoutItsSecret(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	data, err := os.ReadFile("../testdata/example_enkrypt_mcp_config.json")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(h.dataDir, "example.json"), data, 0o600))
	res := h.must(http.StatusOK, h.do("POST", "/api/v1/system/restore", `{"input_file": "example.json"}`))
	assert.Contains(t, string(res.Raw), `apikeys entry #1: the key is imported disabled`)
	assert.NotContains(t, string(res.Raw), "UNIQUE_GATEWAY_KEY")

	keys := h.must(http.StatusOK, h.do("GET", "/api/v1/api-keys", nil)).list()
	require.Len(t, keys, 1)
	key := keys[0]
	assert.Equal(t, "inactive", key["status"])
	assert.Equal(t, "weak_secret", key["inactive_reason"])
	assert.Equal(t, true, key["disabled"])
	assert.Equal(t, "…_KEY", key["masked"])
	id := key["key_id"].(string)
	h.must(http.StatusNotFound, h.do("GET", "/api/v1/api-keys/UNIQUE_GATEWAY_KEY", nil)) // the placeholder finds nothing

	refused := h.must(http.StatusConflict, h.do("POST", "/api/v1/api-keys/"+id+"/enable", nil))
	assert.Contains(t, refused.Body["detail"], "rotate it")
	rotated := h.must(http.StatusOK, h.do("POST", "/api/v1/api-keys/rotate", map[string]any{"api_key": id}))
	secret := rotated.data()["api_key"].(string)
	after := h.must(http.StatusOK, h.do("GET", "/api/v1/api-keys/"+id, nil)).data()
	assert.Equal(t, "disabled", after["inactive_reason"], "a rotation keeps the key disabled")
	enabled := h.must(http.StatusOK, h.do("POST", "/api/v1/api-keys/"+id+"/enable", nil)).data()
	assert.Equal(t, "active", enabled["status"])
	_, err = h.svc.APIKeys.Verify(context.Background(), secret)
	require.NoError(t, err)
}
