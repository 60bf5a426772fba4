package controllers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/controllers"
	"github.com/securemcp/gateway/gateway"
	"github.com/securemcp/gateway/gateway/upstream"
	"github.com/securemcp/gateway/middleware"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/sqlstore"
	"github.com/securemcp/gateway/repositories/sqlstore/sqltest"
	"github.com/securemcp/gateway/sealing"
	"github.com/securemcp/gateway/services"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
)

const testAdminKey = "test-admin-key-0123456789abcdef0123456789abcdef"

type staticKey string

func (k staticKey) AdminKey() string { return string(k) }

// harness is the real router with its middleware over a real SQLite store in a
// temporary directory.
type harness struct {
	t       testing.TB
	router  http.Handler
	routes  gin.RoutesInfo
	store   repositories.Store
	dataDir string
	svc     *services.Services
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessWith(t, nil, nil)
}

// newHarnessWith is newHarness with the store wrapped by decorate and the
// router's dependencies adjusted by configure (either may be nil).
func newHarnessWith(t testing.TB, decorate func(repositories.Store) repositories.Store, configure func(*controllers.Deps)) *harness {
	t.Helper()
	return newHarnessOn(t, sqltest.NewSQLite, decorate, configure)
}

// onEveryBackend runs an HTTP test on a fresh harness over each available
// backend (SQLite always, PostgreSQL when configured).
func onEveryBackend(t *testing.T, test func(t *testing.T, h *harness)) {
	for _, b := range sqltest.Backends() {
		t.Run(b.Name, func(t *testing.T) { test(t, newHarnessOn(t, b.Open, nil, nil)) })
	}
}

// newHarnessOn is newHarnessWith over a store of the given backend.
func newHarnessOn(t testing.TB, open func(testing.TB) *sqlstore.Store, decorate func(repositories.Store) repositories.Store, configure func(*controllers.Deps)) *harness {
	t.Helper()
	gin.SetMode(gin.TestMode)
	dir := t.TempDir()
	var store repositories.Store = open(t)
	if decorate != nil {
		store = decorate(store)
	}
	dataDir := filepath.Join(dir, "data")
	files, err := confine.NewDataDir(dataDir)
	require.NoError(t, err)
	svc := services.New(store, files, entity.SystemClock, sealing.NewEphemeralSealer())
	t.Cleanup(func() { _ = svc.Close() }) // before the store closes: cleanups run last-in first-out
	pool, err := upstream.New(upstream.Options{Logger: suiteLog})
	require.NoError(t, err)
	t.Cleanup(func() { _ = pool.Close(context.Background()) })
	deps := controllers.Deps{
		Log: suiteLog, AdminKeys: staticKey(testAdminKey), CORSOrigins: []string{"*"}, MaxBodyBytes: 1 << 20,
		Version: "test", ConfigPath: "/etc/gateway.json", Services: svc,
		// Tests send many failed authentications from one address; the throttle
		// has its own tests with its own limits.
		AuthLimiter: middleware.NewAuthLimiter(math.MaxInt, time.Minute, 16, time.Now),
		Gateway:     gateway.NewAdmin(pool, svc.Configs, gateway.Info{Mode: gateway.ToolsBoth}),
	}
	if configure != nil {
		configure(&deps)
	}
	return &harness{t: t, router: controllers.NewHandler(deps), routes: controllers.NewRouter(deps).Routes(), store: store, dataDir: files.Root(), svc: svc}
}

// response is a recorded response with its decoded JSON body.
type response struct {
	Code   int
	Header http.Header
	Raw    []byte
	Body   map[string]any
}

// data returns the envelope's data as an object.
func (r response) data() map[string]any {
	m, _ := r.Body["data"].(map[string]any)
	return m
}

// list returns the envelope's data as an array of objects.
func (r response) list() []map[string]any {
	raw, _ := r.Body["data"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, item := range raw {
		m, _ := item.(map[string]any)
		out = append(out, m)
	}
	return out
}

// do sends a request with the admin key. body may be nil, a string (sent
// raw) or any value (sent as JSON).
func (h *harness) do(method, path string, body any) response {
	return h.doWith(method, path, body, map[string]string{"Authorization": "Bearer " + testAdminKey})
}

func (h *harness) doWith(method, path string, body any, headers map[string]string) response {
	h.t.Helper()
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		reader = strings.NewReader(b)
	case []byte:
		reader = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(h.t, err)
		reader = bytes.NewReader(data)
	}
	req := httptest.NewRequest(method, path, reader)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return h.serve(req)
}

// serve runs one request through the router, decodes a JSON answer and
// checks it against the OpenAPI document (checkContract).
func (h *harness) serve(req *http.Request) response {
	h.t.Helper()
	rec := httptest.NewRecorder()
	h.router.ServeHTTP(rec, req)
	res := response{Code: rec.Code, Header: rec.Header(), Raw: rec.Body.Bytes()}
	if len(res.Raw) > 0 && strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		require.NoError(h.t, json.Unmarshal(res.Raw, &res.Body), "body: %s", res.Raw)
	}
	h.checkContract(req, res)
	return res
}

// doChunked sends a body without a declared length, as a chunked upload does.
func (h *harness) doChunked(method, path, body string) response {
	h.t.Helper()
	req := httptest.NewRequest(method, path, io.MultiReader(strings.NewReader(body)))
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+testAdminKey)
	return h.serve(req)
}

// must asserts the status of a response and returns it.
func (h *harness) must(status int, res response) response {
	h.t.Helper()
	require.Equal(h.t, status, res.Code, "body: %s", res.Raw)
	return res
}

// assertError checks the error envelope: status, category and a detail that
// contains each of the given fragments.
func assertError(t *testing.T, res response, status int, category string, detailHas ...string) {
	t.Helper()
	require.Equal(t, status, res.Code, "body: %s", res.Raw)
	assert.Equal(t, category, res.Body["error"], "body: %s", res.Raw)
	detail, _ := res.Body["detail"].(string)
	for _, frag := range detailHas {
		assert.Contains(t, detail, frag)
	}
	ts, _ := res.Body["timestamp"].(string)
	_, err := time.Parse(time.RFC3339Nano, ts)
	assert.NoError(t, err, "timestamp must be RFC 3339")
	assert.NotContains(t, string(res.Raw), testAdminKey)
}
