package controllers_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/models"
)

const providerKey = "ek-live-0123456789abcdef"

func TestEnkryptAPIKeySetting(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	unset := h.must(http.StatusOK, h.do("GET", "/api/v1/settings/enkrypt-api-key", nil))
	assert.Equal(t, map[string]any{"enkrypt_api_key": nil, "configured": false, "updated_at": nil}, unset.data(), "an object, never a bare string")

	set := h.must(http.StatusOK, h.do("PUT", "/api/v1/settings/enkrypt-api-key", map[string]string{"api_key": "  " + providerKey + " "}))
	assert.Equal(t, "****cdef", set.data()["enkrypt_api_key"])
	assert.Equal(t, true, set.data()["configured"])
	assert.NotContains(t, string(set.Raw), providerKey)

	got := h.must(http.StatusOK, h.do("GET", "/api/v1/settings/enkrypt-api-key", nil))
	assert.Equal(t, "****cdef", got.data()["enkrypt_api_key"])
	assert.NotContains(t, string(got.Raw), providerKey)
	_, err := time.Parse(time.RFC3339Nano, got.data()["updated_at"].(string))
	assert.NoError(t, err)

	short := h.must(http.StatusOK, h.do("PUT", "/api/v1/settings/enkrypt-api-key", `{"api_key": "tiny-key"}`))
	assert.Equal(t, "****", short.data()["enkrypt_api_key"], "a short secret shows nothing")

	cases := []struct {
		name, body string
		status     int
		category   string
		detail     string
	}{
		{"malformed JSON", `{"api_key": `, 400, "invalid", "malformed JSON"},
		{"wrong type", `{"api_key": 42}`, 400, "invalid", "field api_key must be of type string"},
		{"not an object", `"` + providerKey + `"`, 400, "invalid", "object"},
		{"missing", `{}`, 400, "invalid", "api_key is required"},
		{"blank", `{"api_key": "   "}`, 400, "invalid", "api_key is required"},
		{"inner space", `{"api_key": "ab cd"}`, 400, "invalid", "spaces"},
		{"too long", `{"api_key": "` + strings.Repeat("k", 1025) + `"}`, 400, "invalid", "at most 1024"},
		{"huge body", `{"api_key": "` + strings.Repeat("k", 2<<20) + `"}`, 413, "payload_too_large", "limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertError(t, h.do("PUT", "/api/v1/settings/enkrypt-api-key", tc.body), tc.status, tc.category, tc.detail)
		})
	}
	after := h.must(http.StatusOK, h.do("GET", "/api/v1/settings/enkrypt-api-key", nil))
	assert.Equal(t, "****", after.data()["enkrypt_api_key"], "refused updates change nothing")
}

func TestTelemetrySetting(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	res := h.must(http.StatusOK, h.do("PUT", "/api/v1/settings/telemetry", `{"enabled": true}`))
	assert.Equal(t, map[string]any{"enabled": true, "url": "http://localhost:4317", "insecure": true}, res.data(), "unset fields keep their defaults")
	res = h.must(http.StatusOK, h.do("PUT", "/api/v1/settings/telemetry", `{"url": "https://otel.example.com:4318/v1", "insecure": false}`))
	assert.Equal(t, map[string]any{"enabled": true, "url": "https://otel.example.com:4318/v1", "insecure": false}, res.data(), "a partial update keeps enabled")

	cases := []struct {
		name, body string
		status     int
		detail     string
	}{
		{"no field", `{}`, 400, "at least one of enabled, url, insecure"},
		{"empty body", ``, 400, "at least one of enabled, url, insecure"},
		{"only unknown fields", `{"colour": "blue"}`, 400, "at least one"},
		{"enabled not a boolean", `{"enabled": "yes"}`, 400, "field enabled must be of type boolean"},
		{"insecure not a boolean", `{"insecure": 1}`, 400, "field insecure must be of type boolean"},
		{"url not a string", `{"url": 4317}`, 400, "field url must be of type string"},
		{"url without scheme", `{"url": "localhost:4317"}`, 400, "http or https URL"},
		{"url with another scheme", `{"url": "ftp://otel.example.com"}`, 400, "http or https URL"},
		{"url without host", `{"url": "http://"}`, 400, "http or https URL"},
		{"url with credentials", `{"url": "http://user:pw@otel.example.com"}`, 400, "url must not carry credentials"},
		{"empty url", `{"url": ""}`, 400, "http or https URL"},
		{"malformed JSON", `{"enabled": tru`, 400, "malformed JSON"},
		{"huge body", `{"url": "http://` + strings.Repeat("x", 2<<20) + `"}`, 413, "limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			category := "invalid"
			if tc.status == 413 {
				category = "payload_too_large"
			}
			assertError(t, h.do("PUT", "/api/v1/settings/telemetry", tc.body), tc.status, category, tc.detail)
		})
	}
	items := h.must(http.StatusOK, h.do("GET", "/api/v1/settings", nil)).list()
	require.Len(t, items, 1)
	assert.Equal(t, map[string]any{"enabled": true, "url": "https://otel.example.com:4318/v1", "insecure": false}, items[0]["value"], "refused updates change nothing")
}

func TestSettingsListMasksSecrets(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	empty := h.must(http.StatusOK, h.do("GET", "/api/v1/settings", nil)).list()
	require.Len(t, empty, 1)
	assert.Equal(t, "telemetry", empty[0]["key"])
	assert.Equal(t, true, empty[0]["is_default"])
	assert.Nil(t, empty[0]["updated_at"])

	h.must(http.StatusOK, h.do("PUT", "/api/v1/settings/enkrypt-api-key", map[string]string{"api_key": providerKey}))
	const nested = "nested-provider-secret-9876"
	require.NoError(t, h.store.Settings().Put(context.Background(), models.Setting{Key: "plugins", UpdatedAt: time.Now(),
		Value: `{"guardrails": {"provider": "enkrypt", "config": {"api_key": "` + nested + `", "base_url": "https://api.enkryptai.com"}},
		"auth": {"config": {"OAUTH_CLIENT_SECRET": "` + nested + `", "OAUTH_TOKEN_URL": "https://auth.example.com/token"}}}`}))
	// A setting restored from a backup of another version may be a secret as a
	// whole: its own name decides.
	require.NoError(t, h.store.Settings().Put(context.Background(), models.Setting{Key: "github_token", UpdatedAt: time.Now(),
		Value: `{"value": "` + nested + `"}`}))
	res := h.must(http.StatusOK, h.do("GET", "/api/v1/settings", nil))
	assert.NotContains(t, string(res.Raw), providerKey)
	assert.NotContains(t, string(res.Raw), nested)
	byKey := map[string]map[string]any{}
	for _, item := range res.list() {
		byKey[item["key"].(string)] = item
	}
	require.Len(t, byKey, 4)
	assert.Equal(t, "****cdef", byKey["enkrypt_api_key"]["value"])
	assert.Equal(t, map[string]any{"value": "****9876"}, byKey["github_token"]["value"])
	plugins := byKey["plugins"]["value"].(map[string]any)
	assert.Equal(t, map[string]any{"api_key": "****9876", "base_url": "https://api.enkryptai.com"}, plugins["guardrails"].(map[string]any)["config"])
	assert.Equal(t, map[string]any{"OAUTH_CLIENT_SECRET": "****9876", "OAUTH_TOKEN_URL": "https://auth.example.com/token"}, plugins["auth"].(map[string]any)["config"])
	assert.Equal(t, false, byKey["plugins"]["is_default"])
}

func TestSettingsAndSystemRoutesNeedTheAdminKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/settings"}, {"GET", "/api/v1/settings/enkrypt-api-key"}, {"PUT", "/api/v1/settings/enkrypt-api-key"},
		{"PUT", "/api/v1/settings/telemetry"}, {"GET", "/api/v1/system/health"}, {"POST", "/api/v1/system/backup"},
		{"POST", "/api/v1/system/restore"}, {"POST", "/api/v1/system/reset"},
	} {
		res := h.doWith(r.method, r.path, `{"confirm": true}`, map[string]string{"Authorization": "Bearer wrong"})
		assertError(t, res, http.StatusUnauthorized, "unauthorized")
		assert.NotEmpty(t, res.Header.Get("WWW-Authenticate"), r.path)
	}
}
