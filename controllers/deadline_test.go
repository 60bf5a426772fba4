package controllers_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/controllers"
	"github.com/securemcp/gateway/repositories"
)

// slowStore makes every transaction wait for delay first, as behind a long
// write, until released. A test releases it at its end, before the harness
// closes, so that what its requests left to store (the audit trail's records
// of refusals) is stored then instead of waiting out the shutdown's limit.
type slowStore struct {
	repositories.Store
	delay   time.Duration
	release chan struct{}
}

// slowDown returns a decorator that slows a store down, and the release
// to register after the harness (cleanups run last-in first-out).
func slowDown(delay time.Duration) (func(repositories.Store) repositories.Store, func()) {
	release := make(chan struct{})
	return func(s repositories.Store) repositories.Store {
			return slowStore{Store: s, delay: delay, release: release}
		},
		func() { close(release) }
}

func (s slowStore) InTx(ctx context.Context, fn func(repositories.Repos) error) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(s.delay):
	case <-s.release:
	}
	return s.Store.InTx(ctx, fn)
}

// Over a real connection whose server cuts writes after one second, a long
// operation still answers with its outcome, and an ordinary request that
// cannot finish in its time limit answers 503 before the server would cut it.
func TestLongOperationsAnswerWithTheirOutcome(t *testing.T) {
	slow, release := slowDown(1500 * time.Millisecond)
	h := newHarnessWith(t, slow,
		func(d *controllers.Deps) {
			d.RequestTimeout = 200 * time.Millisecond
			d.LongOperationTimeout = time.Minute
		})
	t.Cleanup(release)
	srv := httptest.NewUnstartedServer(h.router)
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = time.Second, time.Second
	srv.Start()
	defer srv.Close()
	send := func(method, path, body string) (int, http.Header, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+testAdminKey)
		res, err := srv.Client().Do(req)
		require.NoError(t, err, "an answer arrives, not an empty reply")
		defer res.Body.Close()
		raw, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		var out map[string]any
		require.NoError(t, json.Unmarshal(raw, &out), "%s", raw)
		return res.StatusCode, res.Header, out
	}

	status, _, body := send("POST", "/api/v1/system/reset", `{"confirm": true}`)
	assert.Equal(t, http.StatusOK, status, "%v", body)
	assert.Equal(t, "System reset successfully", body["message"])

	status, header, body := send("POST", "/api/v1/configs/copy", `{"source_config": "a", "target_config": "b"}`)
	assert.Equal(t, http.StatusServiceUnavailable, status, "%v", body)
	assert.Equal(t, "timeout", body["error"])
	assert.Contains(t, body["detail"], "did not complete within its time limit")
	assert.Equal(t, "5", header.Get("Retry-After"))
}

// Every long route exists, so that a renamed route cannot silently lose its
// long time limit.
func TestLongRoutesAreRoutes(t *testing.T) {
	h := newHarness(t)
	var routes []string
	for _, r := range h.routes {
		routes = append(routes, r.Method+" "+r.Path)
	}
	for _, long := range append(controllers.LongRoutes, controllers.ListRoutes...) {
		assert.True(t, slices.Contains(routes, long), long)
	}
}

// deadlineStore records the deadline of the last transaction's context, and
// of the last count of keys.
type deadlineStore struct {
	repositories.Store
	left *time.Duration
}

func (s deadlineStore) APIKeys() repositories.APIKeyRepository {
	return deadlineKeys{APIKeyRepository: s.Store.APIKeys(), left: s.left}
}

type deadlineKeys struct {
	repositories.APIKeyRepository
	left *time.Duration
}

func (r deadlineKeys) CountInfo(ctx context.Context, f repositories.APIKeyFilter) (int, error) {
	if d, ok := ctx.Deadline(); ok {
		*r.left = time.Until(d)
	}
	return r.APIKeyRepository.CountInfo(ctx, f)
}

func (s deadlineStore) InTx(ctx context.Context, fn func(repositories.Repos) error) error {
	if d, ok := ctx.Deadline(); ok {
		*s.left = time.Until(d)
	}
	return s.Store.InTx(ctx, fn)
}

func TestEachRouteGetsItsTimeLimit(t *testing.T) {
	var left time.Duration
	h := newHarnessWith(t, func(s repositories.Store) repositories.Store { return deadlineStore{Store: s, left: &left} },
		func(d *controllers.Deps) { d.RequestTimeout = time.Minute; d.LongOperationTimeout = time.Hour })
	h.must(http.StatusOK, h.do("POST", "/api/v1/system/reset", map[string]bool{"confirm": true}))
	assert.Greater(t, left, 59*time.Minute, "a long operation")
	h.seedConfig("a")
	h.must(http.StatusCreated, h.do("POST", "/api/v1/configs/copy", map[string]string{"source_config": "a", "target_config": "b"}))
	assert.Greater(t, left, 50*time.Second)
	assert.LessOrEqual(t, left, time.Minute, "an ordinary request")
	for path, long := range map[string]bool{
		"/api/v1/api-keys": true, "/api/v1/api-keys?limit=0": true, "/api/v1/api-keys?offset=10": true,
		"/api/v1/api-keys?limit=501": true, "/api/v1/api-keys?limit=500": false, "/api/v1/api-keys?limit=1&offset=9": false,
	} {
		left = 0
		h.must(http.StatusOK, h.do("GET", path, nil))
		if long {
			assert.Greater(t, left, 59*time.Minute, "a whole list: %s", path)
		} else {
			assert.LessOrEqual(t, left, time.Minute, "a small page: %s", path)
		}
	}
}

func TestTimeoutIs503WithRetryAfter(t *testing.T) {
	slow, release := slowDown(time.Hour)
	h := newHarnessWith(t, slow, func(d *controllers.Deps) { d.RequestTimeout = 50 * time.Millisecond })
	t.Cleanup(release)
	res := h.do("PUT", "/api/v1/configs/nothing/rename", map[string]string{"new_name": "b"})
	assertError(t, res, http.StatusServiceUnavailable, "timeout", "did not complete within its time limit")
	assert.Equal(t, "5", res.Header.Get("Retry-After"))
}
