package sealed

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/sealing"
)

func TestSettingsMaskHidesCredentialsAtAnyDepth(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-value-abcdef-9876"
	for _, tc := range []struct{ name, in, want string }{
		{"snake case", `{"api_key": "` + secret + `"}`, `{"api_key": "****9876"}`},
		{"camel case", `{"apiKey": "` + secret + `"}`, `{"apiKey": "****9876"}`},
		{"header style", `{"X-API-Key": "` + secret + `"}`, `{"X-API-Key": "****9876"}`},
		{"spaced", `{"API Key": "` + secret + `"}`, `{"API Key": "****9876"}`},
		{"authorization", `{"Authorization": "` + secret + `"}`, `{"Authorization": "****9876"}`},
		{"private key", `{"private-key": "` + secret + `"}`, `{"private-key": "****9876"}`},
		{"short secrets show nothing", `{"password": "hunter2"}`, `{"password": "****"}`},
		{"whole subtree of a secret member", `{"credentials": {"user": "` + secret + `", "list": ["` + secret + `", 7]}}`,
			`{"credentials": {"user": "****9876", "list": ["****9876", 7]}}`},
		{"bearer values anywhere", `{"headers": [{"name": "X", "value": "Bearer ` + secret + `"}]}`,
			`{"headers": [{"name": "X", "value": "****9876"}]}`},
		{"basic values anywhere", `{"h": "basic ` + secret + `"}`, `{"h": "****9876"}`},
		{"url passwords anywhere", `{"collector": "https://otel:` + secret + `@otel.example.com/v1"}`,
			`{"collector": "https://otel:xxxxx@otel.example.com/v1"}`},
		{"url user names alone are tokens", `{"repo": "https://` + secret + `@github.com/org/repo.git"}`,
			`{"repo": "https://xxxxx@github.com/org/repo.git"}`},
		{"url query secrets", `{"hook": "https://hooks.example.com/in?channel=ops&api_key=` + secret + `&client_secret=` + secret + `"}`,
			`{"hook": "https://hooks.example.com/in?api_key=xxxxx&channel=ops&client_secret=xxxxx"}`},
		{"unreadable queries are hidden whole", `{"hook": "https://hooks.example.com/in?a=1;api_key=` + secret + `"}`,
			`{"hook": "https://hooks.example.com/in?xxxxx"}`},
		{"urls without credentials stay as written", `{"u": "https://example.com/a?b=1&a=2", "v": "mailto:ops@example.com"}`,
			`{"u": "https://example.com/a?b=1&a=2", "v": "mailto:ops@example.com"}`},
		{"name and value pairs", `{"headers": [{"name": "X-API-Key", "value": "` + secret + `"}, {"key": "GITHUB_TOKEN", "value": {"raw": "` + secret + `"}}, {"name": "Accept", "value": "application/json"}]}`,
			`{"headers": [{"name": "X-API-Key", "value": "****9876"}, {"key": "GITHUB_TOKEN", "value": {"raw": "****9876"}}, {"name": "Accept", "value": "application/json"}]}`},
		{"addresses stay readable", `{"token_url": "https://auth.example.com/token", "OAUTH_TOKEN_ENDPOINT": "https://a.example.com"}`,
			`{"token_url": "https://auth.example.com/token", "OAUTH_TOKEN_ENDPOINT": "https://a.example.com"}`},
		{"plain values stay", `{"provider": "enkrypt", "enabled": true, "token_count": 5, "empty_secret": ""}`,
			`{"provider": "enkrypt", "enabled": true, "token_count": 5, "empty_secret": ""}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in any
			require.NoError(t, json.Unmarshal([]byte(tc.in), &in))
			out, err := json.Marshal(New(sealing.NewEphemeralSealer()).MaskSetting("plugins", in))
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(out))
			assert.NotContains(t, string(out), secret)
		})
	}
}
