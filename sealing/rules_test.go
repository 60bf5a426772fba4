package sealing_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/sealing"
)

// jsonTree decodes a JSON document as the API does.
func jsonTree(t *testing.T, doc string) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(doc), &v))
	return v
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

// The cases the services' masking has today: Rules keep every one of them.
func TestRulesMaskCredentialsAtAnyDepth(t *testing.T) {
	const secret = "s3cr3t-value-abcdef-9876"
	for _, tc := range []struct{ name, in, want string }{
		{"snake case", `{"api_key": "` + secret + `"}`, `{"api_key": "****9876"}`},
		{"camel case", `{"apiKey": "` + secret + `"}`, `{"apiKey": "****9876"}`},
		{"header style", `{"X-API-Key": "` + secret + `"}`, `{"X-API-Key": "****9876"}`},
		{"spaced", `{"API Key": "` + secret + `"}`, `{"API Key": "****9876"}`},
		{"authorization", `{"Authorization": "` + secret + `"}`, `{"Authorization": "****9876"}`},
		{"private key", `{"private-key": "` + secret + `"}`, `{"private-key": "****9876"}`},
		{"short secrets show nothing", `{"password": "hunter2"}`, `{"password": "****"}`},
		{"known prefixes show", `{"token": "ghp_16C7e42F292c6912E7710c838347Ae178B4a"}`, `{"token": "ghp_…8B4a"}`},
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
		{"unreadable urls are hidden whole", `{"hook": "https://user:` + secret + `%zz@hooks.example.com/"}`,
			`{"hook": "xxxxx"}`},
		{"urls without credentials stay as written", `{"u": "https://example.com/a?b=1&a=2", "v": "mailto:ops@example.com"}`,
			`{"u": "https://example.com/a?b=1&a=2", "v": "mailto:ops@example.com"}`},
		{"name and value pairs", `{"headers": [{"name": "X-API-Key", "value": "` + secret + `"}, {"key": "GITHUB_TOKEN", "value": {"raw": "` + secret + `"}}, {"name": "Accept", "value": "application/json"}]}`,
			`{"headers": [{"name": "X-API-Key", "value": "****9876"}, {"key": "GITHUB_TOKEN", "value": {"raw": "****9876"}}, {"name": "Accept", "value": "application/json"}]}`},
		{"addresses stay readable", `{"token_url": "https://auth.example.com/token", "OAUTH_TOKEN_ENDPOINT": "https://a.example.com"}`,
			`{"token_url": "https://auth.example.com/token", "OAUTH_TOKEN_ENDPOINT": "https://a.example.com"}`},
		{"plain values stay", `{"provider": "enkrypt", "enabled": true, "token_count": 5, "empty_secret": "", "nothing": null}`,
			`{"provider": "enkrypt", "enabled": true, "token_count": 5, "empty_secret": "", "nothing": null}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := jsonTree(t, tc.in)
			before := jsonText(t, in)
			out := jsonText(t, sealing.Rules{}.Mask(in))
			assert.JSONEq(t, tc.want, out)
			assert.NotContains(t, out, secret)
			assert.Equal(t, before, jsonText(t, in), "the tree masked is not changed")
		})
	}
}

func TestRulesFurtherNamesAndAll(t *testing.T) {
	oauth := sealing.Rules{Names: []string{"OAUTH_CODE_VERIFIER"}}
	in := jsonTree(t, `{"OAUTH_CODE_VERIFIER": "verifier-0123456789-efgh", "oauth_code_verifier": "verifier-0123456789-efgh", "OAUTH_CLIENT_ID": "client"}`)
	assert.JSONEq(t, `{"OAUTH_CODE_VERIFIER": "****efgh", "oauth_code_verifier": "****efgh", "OAUTH_CLIENT_ID": "client"}`, jsonText(t, oauth.Mask(in)))
	assert.JSONEq(t, `{"OAUTH_CODE_VERIFIER": "verifier-0123456789-efgh", "oauth_code_verifier": "verifier-0123456789-efgh", "OAUTH_CLIENT_ID": "client"}`,
		jsonText(t, sealing.Rules{}.Mask(in)), "without the further name it is no secret")

	// A setting whose key is a secret name is a secret as a whole.
	all := sealing.Rules{All: sealing.SecretName("enkrypt_api_key")}
	assert.Equal(t, "sk-…wxyz", all.Mask("sk-ant-api03-abcdefghijklmnop-wxyz"))
	assert.JSONEq(t, `{"a": "****", "b": ["****"], "n": 1}`, jsonText(t, all.Mask(jsonTree(t, `{"a": "x", "b": ["y"], "n": 1}`))))
	assert.False(t, sealing.SecretName("telemetry"))
}

// The pick SealTree is given seals exactly the strings a response masks.
func TestRulesSecretIsWhatMaskChanges(t *testing.T) {
	tree := jsonTree(t, `{
	  "OAUTH_CLIENT_ID": "client", "OAUTH_CLIENT_SECRET": "a-long-client-secret-abcd", "OAUTH_CODE_VERIFIER": "verifier-0123456789-efgh",
	  "OAUTH_TOKEN_URL": "https://gateway:p4ssw0rd-long@auth.example.com/token?client_secret=s3cr3t-value",
	  "OAUTH_AUDIENCE": "https://api.example.com", "OAUTH_SCOPE": "read write",
	  "OAUTH_CUSTOM_HEADERS": {"X-Api-Key": "header-key-0123456789-ijkl", "Accept": "json"},
	  "OAUTH_ADDITIONAL_PARAMS": {"assertions": [{"name": "Authorization", "value": "Bearer list-token-0123456789"}, {"name": "resource", "value": "r1"}]},
	  "short": {"password": "pw"}, "empty": {"secret": ""}
	}`)
	rules := sealing.Rules{Names: []string{"OAUTH_CODE_VERIFIER"}}
	masked := rules.Mask(tree)
	picked := map[string]bool{}
	_, err := sealing.Transform(tree, rules.Secret, func(p sealing.Path, s string) (string, error) {
		picked[p.Pointer()] = true
		return s, nil
	})
	require.NoError(t, err)
	changed := map[string]bool{}
	_, err = sealing.Transform(tree, func(sealing.Path, string) bool { return true }, func(p sealing.Path, s string) (string, error) {
		if at(masked, p) != s {
			changed[p.Pointer()] = true
		}
		return s, nil
	})
	require.NoError(t, err)
	assert.Equal(t, changed, picked)
	assert.Len(t, picked, 6)
}

// at is the value at path p of tree v.
func at(v any, p sealing.Path) any {
	for _, step := range p {
		if step.Index >= 0 {
			v = v.([]any)[step.Index]
		} else {
			v = v.(map[string]any)[step.Name]
		}
	}
	return v
}

func TestRulesKeepMaskedSecretsOfATree(t *testing.T) {
	rules := sealing.Rules{Names: []string{"OAUTH_CODE_VERIFIER"}}
	stored := jsonTree(t, `{
	  "OAUTH_CLIENT_ID": "client", "OAUTH_CLIENT_SECRET": "a-long-client-secret-abcd", "OAUTH_CODE_VERIFIER": "verifier-0123456789-efgh",
	  "OAUTH_TOKEN_URL": "https://gateway:p4ssw0rd-long@auth.example.com/token?client_secret=s3cr3t-value",
	  "OAUTH_CUSTOM_HEADERS": {"X-Api-Key": "header-key-0123456789-ijkl"},
	  "OAUTH_ADDITIONAL_PARAMS": {"assertions": [{"name": "Authorization", "value": "Bearer list-token-0123456789"}]}
	}`)
	storedText := jsonText(t, stored)
	shown := rules.Mask(stored)

	// What was shown, sent back unchanged, is the stored value.
	assert.JSONEq(t, storedText, jsonText(t, rules.KeepMasked(shown, stored)))

	// An edit keeps the untouched secrets and takes the changed values.
	edited := jsonTree(t, jsonText(t, shown)).(map[string]any)
	edited["OAUTH_CLIENT_ID"] = "client-2"
	edited["OAUTH_CLIENT_SECRET"] = "a-brand-new-client-secret"
	edited["OAUTH_CUSTOM_HEADERS"].(map[string]any)["X-Extra-Token"] = "****"
	merged := rules.KeepMasked(edited, stored).(map[string]any)
	assert.Equal(t, "client-2", merged["OAUTH_CLIENT_ID"])
	assert.Equal(t, "a-brand-new-client-secret", merged["OAUTH_CLIENT_SECRET"])
	assert.Equal(t, "verifier-0123456789-efgh", merged["OAUTH_CODE_VERIFIER"])
	assert.Equal(t, "https://gateway:p4ssw0rd-long@auth.example.com/token?client_secret=s3cr3t-value", merged["OAUTH_TOKEN_URL"])
	assert.Equal(t, map[string]any{"X-Api-Key": "header-key-0123456789-ijkl", "X-Extra-Token": "****"}, merged["OAUTH_CUSTOM_HEADERS"],
		"a new member that looks masked is taken as sent")
	assert.Equal(t, "Bearer list-token-0123456789", at(merged, pathOf("OAUTH_ADDITIONAL_PARAMS", "assertions", 0, "value")))
	assert.JSONEq(t, storedText, jsonText(t, stored), "the stored tree is not changed")

	// A mask moved to another member is no reference to the secret.
	moved := jsonTree(t, `{"OAUTH_CLIENT_ID": "****abcd"}`)
	assert.JSONEq(t, `{"OAUTH_CLIENT_ID": "****abcd"}`, jsonText(t, rules.KeepMasked(moved, stored)))
	assert.Nil(t, rules.KeepMasked(nil, stored))
	assert.JSONEq(t, `{"a": "****"}`, jsonText(t, rules.KeepMasked(jsonTree(t, `{"a": "****"}`), nil)))
}

// pathOf builds a Path of names and indices.
func pathOf(steps ...any) sealing.Path {
	var p sealing.Path
	for _, s := range steps {
		switch s := s.(type) {
		case int:
			p = append(p, sealing.Step{Index: s})
		case string:
			p = append(p, sealing.Step{Name: s, Index: -1})
		}
	}
	return p
}

// jsonObject stands for models.JSONObject: a named map type.
type jsonObject map[string]any

type label string

func TestRulesWalkNamedTypes(t *testing.T) {
	const secret = "a-long-client-secret-abcd"
	in := jsonObject{
		"nested":  jsonObject{"client_secret": secret},
		"strings": map[string]string{"api_key": secret},
		"list":    []string{"Bearer " + secret},
		"named":   map[string]label{"token": label(secret)},
		"bytes":   []byte("kept as is"),
		"nil":     jsonObject(nil),
	}
	out := jsonText(t, sealing.Rules{}.Mask(in))
	assert.NotContains(t, out, secret)
	assert.JSONEq(t, `{"nested": {"client_secret": "****abcd"}, "strings": {"api_key": "****abcd"}, "list": ["****abcd"],
	  "named": {"token": "****abcd"}, "bytes": "a2VwdCBhcyBpcw==", "nil": null}`, out)
	assert.Equal(t, secret, in["nested"].(jsonObject)["client_secret"], "the input is not changed")
}
