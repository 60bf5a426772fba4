package controllers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/securemcp/gateway/models"
)

// FuzzRequestBodies sends any body to any POST or PUT route through the real
// router: the answer is never a 5xx (a panic would be one, through the
// recovery middleware), always a JSON envelope, and its errors speak of JSON,
// not of the Go types behind it.
func FuzzRequestBodies(f *testing.F) {
	goTypeName := regexp.MustCompile(`models\.|\[\]string|map\[|\bint64\b|\bfloat64\b|\*time\.`)
	h := newHarness(f)
	h.seedConfig("fz", "s")
	var routes []string
	for _, r := range h.routes {
		if r.Method != http.MethodPost && r.Method != http.MethodPut {
			continue
		}
		path := strings.NewReplacer(":config", "fz", ":server", "s", ":project", "p", ":user", "u@example.com", ":api_key", "k").Replace(r.Path)
		routes = append(routes, r.Method+" "+path)
	}
	sort.Strings(routes)
	if len(routes) == 0 {
		f.Fatal("no POST or PUT route")
	}
	for i := range routes {
		for _, body := range []string{"", "{}", "null", "[]", `{"config_name": 1}`, `{"config_name": "x", "config": 5}`, `{"args": "x", "env": [], "tools": 1}`, `{"server_name": "s2", "server_command": "npx", "args": ["-y"], "env": {"A": "b"}}`,
			`{"server_name": "s3", "server_command": "npx", "oauth_config": {"OAUTH_CLIENT_SECRET": "****abcd", "h": [1, {"Authorization": null}]}}`, `{"oauth_config": "x"}`} {
			f.Add(uint8(i), []byte(body))
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		method, path, _ := strings.Cut(routes[int(route)%len(routes)], " ")
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testAdminKey)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.router.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s with %q: status %d: %s", method, path, body, rec.Code, rec.Body)
		}
		var envelope map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &envelope); err != nil || envelope["timestamp"] == nil {
			t.Fatalf("%s %s with %q: not an envelope: %s", method, path, body, rec.Body)
		}
		if detail, _ := envelope["detail"].(string); goTypeName.MatchString(detail) {
			t.Fatalf("%s %s with %q: the error names a Go type: %s", method, path, body, detail)
		}
		// A reset or a restore replaces the whole store: put the seeded state
		// back, or every later input would meet an empty store and only 404s.
		if rec.Code < 300 && (path == "/api/v1/system/reset" || path == "/api/v1/system/restore") {
			reseed(t, h)
		}
	})
}

// reseed empties the store and seeds again what FuzzRequestBodies starts
// from: the configuration "fz" with the server "s".
func reseed(t *testing.T, h *harness) {
	ctx := context.Background()
	if _, err := h.svc.System.Reset(ctx, true); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Configs.Create(ctx, "fz"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Configs.AddServer(ctx, "fz", models.Server{Name: "s", Command: "npx", Args: []string{"-y", "@modelcontextprotocol/server-s"}, Description: "s server"}); err != nil {
		t.Fatal(err)
	}
}
