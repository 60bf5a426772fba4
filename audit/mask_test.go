package audit

import (
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// secret returns a random credential with a prefix, unlike anything else a
// test writes, so that any piece of it found in a record is a leak.
func secret(prefix string) string {
	return prefix + strings.ToLower(rand.Text())
}

// requireNoSecret fails if out holds any secret, whole or in part: any six
// consecutive characters of it (the mask keeps the last four only).
func requireNoSecret(t *testing.T, out []byte, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for i := 0; i+6 <= len(s); i++ {
			require.NotContains(t, string(out), s[i:i+6], "part of secret %q leaked in %s", s, out)
		}
	}
}

func TestMasked(t *testing.T) {
	require.Equal(t, "****", Masked(""))
	require.Equal(t, "****", Masked("hunter2"))
	require.Equal(t, "****", Masked("elevenchars"), "under 12 characters nothing shows")
	require.Equal(t, "****cdef", Masked("0123456789abcdef"))
	require.Equal(t, "****ñéüö", Masked("abcdefghijklñéüö"), "characters, not bytes")
}

func TestSecretName(t *testing.T) {
	for _, name := range []string{"api_key", "apiKey", "X-API-Key", "enkrypt_api_key", "OAUTH_CLIENT_SECRET",
		"client_secret", "password", "DB_PASSWD", "passphrase", "access_token", "refresh_token", "Authorization",
		"private_key", "AWS_ACCESS_KEY_ID", "aws_secret_access_key", "signing_key", "Cookie", "session_id",
		"OAUTH_CODE_VERIFIER", "Hash", "PreviousHash", "secret_key", "OPENAI_KEY", "api_keys", "pwd",
		"Env", "env", "environment", "OAUTH_CUSTOM_HEADERS", "headers", "credentials"} {
		require.True(t, secretName(name), name)
	}
	for _, name := range []string{"key", "Key", "name", "Description", "command", "args", "OAUTH_TOKEN_URL",
		"token_endpoint", "redirect_uri", "OAUTH_CLIENT_ID", "KeyID", "Last4", "user_id", "enabled", "server_name",
		"value", "Tools", "created_at"} {
		require.False(t, secretName(name), name)
	}
}

func TestMaskString(t *testing.T) {
	gh := "ghp_" + strings.Repeat("A1b2", 9)
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"", ""},
		{"Bearer abcdefghijklmnopqrstuvwxyz", "****wxyz"},
		{"basic dXNlcjpwYXNzd29yZA==", "****ZA=="},
		{gh, "****A1b2"},
		{"sk-short", "sk-short"},
		{"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----", "****----"},
		{"--api-key=abcdefghijklmnop", "--api-key=****mnop"},
		{"GITHUB_TOKEN=short", "GITHUB_TOKEN=****"},
		{"--verbose=true", "--verbose=true"},
		{"Set MAX_TOKENS=100 for long answers", "Set MAX_TOKENS=100 for long answers"},
		{"https://user:pa55word@example.com/x", "https://xxxxx@example.com/x"},
		{"https://example.com/cb?code=1&access_token=abcdef", "https://example.com/cb?access_token=xxxxx&code=1"},
		{"https://example.com/?q=1", "https://example.com/?q=1"},
		{"postgres://app:pw@db:5432/x?sslmode=disable", "postgres://xxxxx@db:5432/x?sslmode=disable"},
	} {
		require.Equal(t, tc.want, maskString(tc.in, false), tc.in)
	}
	require.Equal(t, "****", maskString("visible", true), "by position")
}

func TestMaskValue(t *testing.T) {
	tok := secret("t")
	pw := secret("p")
	hdr := secret("h")
	in := map[string]any{
		"name": "github",
		"nested": map[string]any{
			"deeper": map[string]any{"client_secret": map[string]any{"primary": tok, "n": json.Number("123456")}},
		},
		"headers_list": []any{
			map[string]any{"name": "X-API-Key", "value": hdr},
			map[string]any{"name": "Accept", "value": "application/json"},
		},
		"args":    []any{"-y", "server", "--password", pw, "--port", "8080"},
		"enabled": true,
		"token":   nil,
	}
	out, err := json.Marshal(maskValue(in, false))
	require.NoError(t, err)
	requireNoSecret(t, out, tok, pw, hdr)
	require.Contains(t, string(out), `"name":"github"`)
	require.Contains(t, string(out), `"value":"application/json"`)
	require.Contains(t, string(out), `"--port","8080"`)
	require.Contains(t, string(out), `"n":"****"`, "numbers under a secret are masked")
	require.Contains(t, string(out), `"enabled":true`)
	require.Contains(t, string(out), `"token":null`)
}
