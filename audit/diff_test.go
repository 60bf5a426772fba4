package audit

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/securemcp/gateway/models"
	"github.com/stretchr/testify/require"
)

// changes returns a diff as path → [before, after] JSON texts ("-" absent).
func changes(t *testing.T, d WriteDetails) map[string][2]string {
	t.Helper()
	out := map[string][2]string{}
	for _, c := range d.Changes {
		b, a := "-", "-"
		if c.Before != nil {
			b = string(c.Before)
		}
		if c.After != nil {
			a = string(c.After)
		}
		out[c.Path] = [2]string{b, a}
	}
	return out
}

func encoded(t *testing.T, d WriteDetails) []byte {
	t.Helper()
	raw, err := DetailsOf(d)
	require.NoError(t, err)
	return raw
}

func TestDiffServerUpdateMasksSecrets(t *testing.T) {
	envOld, envNew, envGone := secret("e"), secret("f"), secret("g")
	argTok, argTokNew := secret("a"), secret("b")
	cliSecOld, cliSecNew := secret("c"), secret("d")
	bearer := "Bearer " + secret("z")
	urlTok := secret("u")
	before := models.Server{Name: "github", Description: "old", Command: "npx",
		Args: []string{"-y", "server-github", "--token", argTok},
		Env:  map[string]string{"GITHUB_TOKEN": envOld, "DEBUG": "1", "OLD_VAR": envGone},
		OAuthConfig: models.JSONObject{"OAUTH_CLIENT_ID": "client-1", "OAUTH_CLIENT_SECRET": cliSecOld,
			"OAUTH_TOKEN_URL": "https://auth.example.com/token"},
		CreatedAt: t0, UpdatedAt: t0}
	after := before
	after.Description = "new"
	after.Args = []string{"-y", "server-github", "--token", argTokNew}
	after.Env = map[string]string{"GITHUB_TOKEN": envNew, "DEBUG": "1", "NEW_VAR": "plain"}
	after.OAuthConfig = models.JSONObject{"OAUTH_CLIENT_ID": "client-2", "OAUTH_CLIENT_SECRET": cliSecNew,
		"OAUTH_TOKEN_URL":      "https://auth.example.com/token?access_token=" + urlTok,
		"OAUTH_CUSTOM_HEADERS": map[string]any{"X-Trace": bearer}}
	after.UpdatedAt = t0.Add(time.Minute)

	d, err := Diff(before, after)
	require.NoError(t, err)
	require.Zero(t, d.Omitted)
	require.Equal(t, map[string][2]string{
		"/Args/3":                           {`"****` + argTok[len(argTok)-4:] + `"`, `"****` + argTokNew[len(argTokNew)-4:] + `"`},
		"/Description":                      {`"old"`, `"new"`},
		"/Env/GITHUB_TOKEN":                 {`"****` + envOld[len(envOld)-4:] + `"`, `"****` + envNew[len(envNew)-4:] + `"`},
		"/Env/NEW_VAR":                      {`-`, `"****"`},
		"/Env/OLD_VAR":                      {`"****` + envGone[len(envGone)-4:] + `"`, `-`},
		"/OAuthConfig/OAUTH_CLIENT_ID":      {`"client-1"`, `"client-2"`},
		"/OAuthConfig/OAUTH_CLIENT_SECRET":  {`"****` + cliSecOld[len(cliSecOld)-4:] + `"`, `"****` + cliSecNew[len(cliSecNew)-4:] + `"`},
		"/OAuthConfig/OAUTH_CUSTOM_HEADERS": {`-`, `{"X-Trace":"****` + bearer[len(bearer)-4:] + `"}`},
		"/OAuthConfig/OAUTH_TOKEN_URL":      {`"https://auth.example.com/token"`, `"https://auth.example.com/token?access_token=xxxxx"`},
		"/UpdatedAt":                        {`"2026-03-01T12:00:00Z"`, `"2026-03-01T12:01:00Z"`},
	}, changes(t, d))
	requireNoSecret(t, encoded(t, d), envOld, envNew, envGone, argTok, argTokNew, cliSecOld, cliSecNew, bearer, urlTok)
}

// TestDiffRequestTypes: the API's JSON names (env, oauth_config, …) are
// masked like the domain type's.
func TestDiffRequestTypes(t *testing.T) {
	envTok, cliSec := secret("e"), secret("c")
	req := models.AddServerRequest{ServerName: "github", ServerCommand: "npx",
		Args: models.Strings{"-y", "--api-key=" + secret("k")}, Env: models.StringMap{"TOKEN": envTok},
		OAuthConfig: models.JSONObject{"OAUTH_CLIENT_SECRET": cliSec, "nested": map[string]any{"refresh_token": secret("r")}}}
	d, err := Diff(nil, req)
	require.NoError(t, err)
	got := changes(t, d)
	require.Equal(t, [2]string{"-", `"github"`}, got["/server_name"], "a creation lists each member, after only")
	require.Equal(t, [2]string{"-", `{"TOKEN":"****` + envTok[len(envTok)-4:] + `"}`}, got["/env"])
	raw := encoded(t, d)
	requireNoSecret(t, raw, envTok, cliSec, req.Args[1][len("--api-key="):], req.OAuthConfig["nested"].(map[string]any)["refresh_token"].(string))
	require.Contains(t, string(raw), `"--api-key=****`)
}

func TestDiffAPIKeyAndSettings(t *testing.T) {
	hashOld, hashNew, provider := strings.Repeat("ab", 32), strings.Repeat("cd", 32), secret("sk-")
	before := models.APIKey{ID: "k1", Hash: hashOld, Last4: "wxyz", UserID: "u1", ProjectID: "p1", CreatedAt: t0}
	after := before
	after.Hash, after.PreviousHash, after.Last4 = hashNew, hashOld, "abcd"
	d, err := Diff(before, after)
	require.NoError(t, err)
	got := changes(t, d)
	require.Equal(t, [2]string{`"wxyz"`, `"abcd"`}, got["/Last4"], "the display digits are not secret")
	require.Equal(t, [2]string{`"****abab"`, `"****cdcd"`}, got["/Hash"])
	requireNoSecret(t, encoded(t, d), hashOld[:60], hashNew[:60])

	// A stored setting names its key in one member and holds the value in
	// another; a settings object names it as the member itself.
	set, err := Diff(nil, models.Setting{Key: "enkrypt_api_key", Value: `"` + provider + `"`, UpdatedAt: t0})
	require.NoError(t, err)
	require.Equal(t, [2]string{"-", `"enkrypt_api_key"`}, changes(t, set)["/Key"])
	requireNoSecret(t, encoded(t, set), provider)
	obj, err := Diff(map[string]any{"enkrypt_api_key": provider, "telemetry": map[string]any{"enabled": false}},
		map[string]any{"enkrypt_api_key": secret("sk-"), "telemetry": map[string]any{"enabled": true}})
	require.NoError(t, err)
	require.Equal(t, [2]string{"false", "true"}, changes(t, obj)["/telemetry/enabled"])
	requireNoSecret(t, encoded(t, obj), provider)
}

func TestDiffShapes(t *testing.T) {
	for _, tc := range []struct {
		name          string
		before, after any
		want          map[string][2]string
	}{
		{"unchanged", map[string]any{"a": 1}, map[string]any{"a": 1}, map[string][2]string{}},
		{"numbers compared by value", models.JSONObject{"n": json.Number("1.0")}, models.JSONObject{"n": json.Number("1")}, map[string][2]string{}},
		{"deletion lists members, before only", map[string]any{"a": 1, "b": "x"}, nil,
			map[string][2]string{"/a": {"1", "-"}, "/b": {`"x"`, "-"}}},
		{"typed nil is absent", (*models.Server)(nil), map[string]any{"a": true}, map[string][2]string{"/a": {"-", "true"}}},
		{"scalar to scalar", "a", "b", map[string][2]string{"": {`"a"`, `"b"`}}},
		{"type change", map[string]any{"a": map[string]any{"b": 1}}, map[string]any{"a": "x"},
			map[string][2]string{"/a": {`{"b":1}`, `"x"`}}},
		{"null is a value", map[string]any{"a": nil}, map[string]any{"a": 1}, map[string][2]string{"/a": {"null", "1"}}},
		{"arrays of one length item by item", []any{1, 2, 3}, []any{1, 5, 3}, map[string][2]string{"/1": {"2", "5"}}},
		{"arrays of other lengths whole", []any{1, 2}, []any{1, 2, 3}, map[string][2]string{"": {"[1,2]", "[1,2,3]"}}},
		{"pointer escaping", map[string]any{"a/b~c": 1}, map[string]any{"a/b~c": 2}, map[string][2]string{"/a~1b~0c": {"1", "2"}}},
		{"quotes and brackets inside strings", map[string]any{`k"]}`: `v"}],{`, "n": []any{"]", map[string]any{"x": `{"`}}},
			map[string]any{`k"]}`: `v"}],{`, "n": []any{"]", map[string]any{"x": `}"`}}}, map[string][2]string{"/n/1/x": {`"{\""`, `"}\""`}}},
		{"nested member", map[string]any{"p": map[string]any{"q": map[string]any{"r": 1, "s": 1}}},
			map[string]any{"p": map[string]any{"q": map[string]any{"r": 2, "s": 1}}}, map[string][2]string{"/p/q/r": {"1", "2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Diff(tc.before, tc.after)
			require.NoError(t, err)
			require.NotNil(t, d.Changes, "encodes as [] not null")
			require.Equal(t, tc.want, changes(t, d))
		})
	}
	_, err := Diff(map[string]any{"f": func() {}}, nil)
	require.Error(t, err, "a value that does not encode")
}

func TestDiffBounds(t *testing.T) {
	big := map[string]any{"tools": strings.Repeat("x", 5000)}
	d, err := Diff(nil, big)
	require.NoError(t, err)
	var omitted struct {
		Bytes  int    `json:"omitted_bytes"`
		SHA256 string `json:"sha256"`
	}
	require.NoError(t, json.Unmarshal(d.Changes[0].After, &omitted))
	require.Equal(t, 5002, omitted.Bytes)
	require.Len(t, omitted.SHA256, 64)

	many := map[string]any{}
	for i := range maxChanges + 7 {
		many[fmt.Sprintf("m%03d", i)] = i
	}
	d, err = Diff(nil, many)
	require.NoError(t, err)
	require.Len(t, d.Changes, maxChanges)
	require.Equal(t, 7, d.Omitted)
	require.Equal(t, "/m000", d.Changes[0].Path)
}
