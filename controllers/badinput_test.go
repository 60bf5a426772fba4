package controllers_test

import (
	"net/http"
	"strings"
	"testing"
)

// configRoute is one configuration route with a valid body, for the bad input table.
type configRoute struct {
	method, path string
	body         string // a valid body; "" for routes without one
}

var configRoutesWithBody = []configRoute{
	{"POST", "/api/v1/configs", `{"config_name": "fresh"}`},
	{"POST", "/api/v1/configs/copy", `{"source_config": "cfg", "target_config": "fresh"}`},
	{"POST", "/api/v1/configs/import", `{"config_name": "fresh", "config": {"mcp_config": []}}`},
	{"POST", "/api/v1/configs/search", `{"search_term": "x"}`},
	{"PUT", "/api/v1/configs/cfg/rename", `{"new_name": "fresh"}`},
	{"POST", "/api/v1/configs/cfg/export", `{"output_file": "e.json"}`},
	{"POST", "/api/v1/configs/cfg/servers", `{"server_name": "fresh", "server_command": "npx"}`},
	{"PUT", "/api/v1/configs/cfg/servers/github", `{"description": "x"}`},
	{"PUT", "/api/v1/configs/cfg/servers/github/input-guardrails", `{"policy": {"enabled": false}}`},
	{"PUT", "/api/v1/configs/cfg/servers/github/output-guardrails", `{"policy": {"enabled": false}}`},
	{"PUT", "/api/v1/configs/cfg/servers/github/guardrails", `{"input_policy": {"enabled": false}}`},
}

func TestConfigRoutesRejectMalformedAndHugeBodies(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedConfig("cfg", "github")
	huge := `{"pad": "` + strings.Repeat("x", 2<<20) + `"}`
	for _, r := range configRoutesWithBody {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			assertError(t, h.do(r.method, r.path, `{"broken": `), http.StatusBadRequest, "invalid", "malformed JSON")
			assertError(t, h.do(r.method, r.path, `"a string"`), http.StatusBadRequest, "invalid", "object")
			assertError(t, h.do(r.method, r.path, `[1, 2]`), http.StatusBadRequest, "invalid", "object")
			assertError(t, h.do(r.method, r.path, "{\"config_name\": \"\xff\xfe\"}"), http.StatusBadRequest, "invalid", "UTF-8")
			assertError(t, h.do(r.method, r.path, huge), http.StatusRequestEntityTooLarge, "payload_too_large")
			assertError(t, h.doChunked(r.method, r.path, huge), http.StatusRequestEntityTooLarge, "payload_too_large")
		})
	}
}

func TestConfigRoutesAnswer404ForUnknownIdentifiers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.seedConfig("cfg", "github")
	for _, r := range []configRoute{
		{"GET", "/api/v1/configs/missing", ""},
		{"DELETE", "/api/v1/configs/missing", ""},
		{"GET", "/api/v1/configs/missing/projects", ""},
		{"GET", "/api/v1/configs/missing/servers", ""},
		{"DELETE", "/api/v1/configs/missing/servers", ""},
		{"POST", "/api/v1/configs/missing/validate", ""},
		{"PUT", "/api/v1/configs/missing/rename", `{"new_name": "x"}`},
		{"POST", "/api/v1/configs/missing/export", `{"output_file": "x.json"}`},
		{"POST", "/api/v1/configs/missing/servers", `{"server_name": "x", "server_command": "npx"}`},
		{"GET", "/api/v1/configs/cfg/servers/missing", ""},
		{"PUT", "/api/v1/configs/cfg/servers/missing", `{"description": "x"}`},
		{"DELETE", "/api/v1/configs/cfg/servers/missing", ""},
		{"GET", "/api/v1/configs/missing/servers/github", ""},
		{"PUT", "/api/v1/configs/cfg/servers/missing/input-guardrails", `{"policy": {}}`},
		{"PUT", "/api/v1/configs/cfg/servers/missing/output-guardrails", `{"policy": {}}`},
		{"PUT", "/api/v1/configs/cfg/servers/missing/guardrails", `{"input_policy": {}}`},
		{"POST", "/api/v1/configs/copy", `{"source_config": "missing", "target_config": "x"}`},
	} {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			var body any
			if r.body != "" {
				body = r.body
			}
			assertError(t, h.do(r.method, r.path, body), http.StatusNotFound, "not_found", "missing")
		})
	}
}

func TestConfigRoutesRequireAuth(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, r := range append(configRoutesWithBody, configRoute{"GET", "/api/v1/configs", ""}, configRoute{"GET", "/api/v1/configs/cfg", ""}) {
		assertError(t, h.doWith(r.method, r.path, r.body, nil), http.StatusUnauthorized, "unauthorized")
	}
}
