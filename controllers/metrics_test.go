package controllers_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/securemcp/gateway/controllers"
	"github.com/securemcp/gateway/metrics"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/repositories/timed"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	h := newHarnessWith(t, func(s repositories.Store) repositories.Store { return timed.Wrap(s, m) },
		func(d *controllers.Deps) { d.Metrics = m })
	id := h.seedConfig("metered", "github")
	h.must(http.StatusOK, h.do("GET", "/api/v1/configs/"+id, nil))
	h.must(http.StatusOK, h.do("GET", "/api/v1/configs/metered", nil))
	h.must(http.StatusNotFound, h.do("GET", "/api/v1/configs/missing", nil))
	h.must(http.StatusNotFound, h.do("GET", "/api/v1/no-such-route/"+id, nil))
	for _, method := range []string{"BREW", "X-" + id} {
		h.must(http.StatusNotFound, h.do(method, "/api/v1/no-such-route", nil))
	}

	assertError(t, h.doWith("GET", "/metrics", nil, nil), http.StatusUnauthorized, "unauthorized")
	res := h.must(http.StatusOK, h.do("GET", "/metrics", nil))
	body := string(res.Raw)
	assert.Contains(t, res.Header.Get("Content-Type"), "text/plain")
	assert.Contains(t, body, `smg_http_requests_total{method="GET",route="/api/v1/configs/:config",status="200"} 2`)
	assert.Contains(t, body, `smg_http_requests_total{method="GET",route="/api/v1/configs/:config",status="404"} 1`)
	assert.Contains(t, body, `smg_http_requests_total{method="POST",route="/api/v1/configs",status="201"} 1`)
	assert.Contains(t, body, `smg_http_requests_total{method="GET",route="unmatched",status="404"} 1`)
	assert.Contains(t, body, `smg_http_requests_total{method="GET",route="/metrics",status="401"} 1`)
	assert.Contains(t, body, `smg_http_request_duration_seconds_count{method="GET",route="/api/v1/configs/:config",status="200"} 2`)
	assert.Contains(t, body, `smg_http_requests_total{method="other",route="unmatched",status="404"} 2`)
	assert.NotContains(t, body, id, "raw paths and methods never become labels")
	assert.Contains(t, body, `smg_store_operation_duration_seconds_count{op="configs.resolve",outcome="not_found"} 1`)
	assert.Contains(t, body, `smg_store_operation_duration_seconds_count{op="tx",outcome="ok"}`)
	assert.Contains(t, body, `smg_store_operation_duration_seconds_count{op="servers.list",outcome="ok"}`)
	assert.Contains(t, body, "go_goroutines", "runtime metrics come from this registry")
	assert.NotContains(t, body, testAdminKey)
}

func TestMetricsAreOffByDefault(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	assertError(t, h.do("GET", "/metrics", nil), http.StatusNotFound, "not_found")
}
