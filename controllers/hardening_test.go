package controllers_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/securemcp/gateway/controllers"
	"github.com/securemcp/gateway/middleware"
)

// fakeClock is a settable clock for the throttle.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// from sends GET path from the client address addr with the given key.
func (h *harness) from(addr, key, path string, headers ...string) response {
	h.t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.RemoteAddr = addr + ":40000"
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return h.serve(req)
}

func TestAuthThrottle(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	limiter := middleware.NewAuthLimiter(3, time.Minute, 100, clock.Now)
	h := newHarnessWith(t, nil, func(d *controllers.Deps) { d.AuthLimiter = limiter })
	const attacker, neighbour, admin = "198.51.100.7", "198.51.100.8", "198.51.100.9"

	for i := 0; i < 3; i++ {
		res := h.from(attacker, "wrong-key", "/api/v1/configs")
		assertError(t, res, http.StatusUnauthorized, "unauthorized", "invalid admin API key")
		assert.Equal(t, `Bearer realm="secure-mcp-gateway"`, res.Header.Get("WWW-Authenticate"))
	}
	for _, key := range []string{"wrong-key", ""} {
		res := h.from(attacker, key, "/api/v1/configs")
		assertError(t, res, http.StatusTooManyRequests, "too_many_requests", "too many failed authentication attempts")
		assert.Equal(t, "60", res.Header.Get("Retry-After"), "blocked for the rest of the window")
	}
	res := h.from(attacker, "wrong-key", "/api/v1/configs", "X-Forwarded-For", "203.0.113.1")
	// X-Forwarded-For from an untrusted peer is not believed.
	assertError(t, res, http.StatusTooManyRequests, "too_many_requests")
	h.must(http.StatusOK, h.from(attacker, "", "/health"))

	t.Run("the right key always passes", func(t *testing.T) {
		// An administrator behind the same address (a reverse proxy, a NAT)
		// is never locked out by someone else's failures.
		for i := 0; i < 5; i++ {
			h.must(http.StatusOK, h.from(attacker, testAdminKey, "/api/v1/configs"))
		}
		// A success does not lift the block on failures.
		assertError(t, h.from(attacker, "wrong-key", "/api/v1/configs"), http.StatusTooManyRequests, "too_many_requests")
	})
	t.Run("other addresses are unaffected", func(t *testing.T) {
		h.must(http.StatusOK, h.from(neighbour, testAdminKey, "/api/v1/configs"))
		assertError(t, h.from(neighbour, "wrong-key", "/api/v1/configs"), http.StatusUnauthorized, "unauthorized")
	})
	t.Run("successes never count", func(t *testing.T) {
		for i := 0; i < 20; i++ {
			h.must(http.StatusOK, h.from(admin, testAdminKey, "/api/v1/configs"))
		}
		assertError(t, h.from(admin, "wrong-key", "/api/v1/configs"), http.StatusUnauthorized, "unauthorized")
	})
	t.Run("the block ends with the window", func(t *testing.T) {
		clock.Advance(30 * time.Second)
		assert.Equal(t, "30", h.from(attacker, "wrong-key", "/api/v1/configs").Header.Get("Retry-After"))
		clock.Advance(30 * time.Second)
		assertError(t, h.from(attacker, "wrong-key", "/api/v1/configs"), http.StatusUnauthorized, "unauthorized")
	})
}

// Behind a trusted reverse proxy, the client address is the one the proxy
// appends to X-Forwarded-For: clients behind it are throttled one by one.
func TestAuthThrottleBehindTrustedProxy(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	limiter := middleware.NewAuthLimiter(2, time.Minute, 100, clock.Now)
	h := newHarnessWith(t, nil, func(d *controllers.Deps) {
		d.AuthLimiter = limiter
		d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	})
	const proxy, guesser, colleague = "10.1.2.3", "203.0.113.5", "203.0.113.6"

	for i := 0; i < 2; i++ {
		assertError(t, h.from(proxy, "wrong-key", "/api/v1/configs", "X-Forwarded-For", guesser), http.StatusUnauthorized, "unauthorized")
	}
	assertError(t, h.from(proxy, "wrong-key", "/api/v1/configs", "X-Forwarded-For", guesser), http.StatusTooManyRequests, "too_many_requests")
	// A client cannot choose its address by sending X-Forwarded-For itself:
	// the proxy appends the real one, and that is the address used.
	assertError(t, h.from(proxy, "wrong-key", "/api/v1/configs", "X-Forwarded-For", colleague+", "+guesser), http.StatusTooManyRequests,
		"too_many_requests")
	// Another client behind the same proxy has its own budget.
	assertError(t, h.from(proxy, "wrong-key", "/api/v1/configs", "X-Forwarded-For", colleague), http.StatusUnauthorized, "unauthorized")
	// Trusted hops are skipped.
	assertError(t, h.from(proxy, "wrong-key", "/api/v1/configs", "X-Forwarded-For", guesser+", 10.9.9.9"), http.StatusTooManyRequests,
		"too_many_requests")
	h.must(http.StatusOK, h.from(proxy, testAdminKey, "/api/v1/configs", "X-Forwarded-For", guesser))

	// A peer outside the trusted prefixes is its own client, whatever it sends.
	for i := 0; i < 2; i++ {
		assertError(t, h.from("192.0.2.10", "wrong-key", "/api/v1/configs", "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i)),
			http.StatusUnauthorized, "unauthorized")
	}
	assertError(t, h.from("192.0.2.10", "wrong-key", "/api/v1/configs", "X-Forwarded-For", "198.51.100.99"), http.StatusTooManyRequests,
		"too_many_requests")
	// X-Real-IP is not read: without X-Forwarded-For the client is the proxy itself.
	for i := 0; i < 2; i++ {
		assertError(t, h.from(proxy, "wrong-key", "/api/v1/configs", "X-Real-IP", fmt.Sprintf("198.51.100.%d", 50+i)), http.StatusUnauthorized, "unauthorized")
	}
	assertError(t, h.from(proxy, "wrong-key", "/api/v1/configs", "X-Real-IP", "198.51.100.52"), http.StatusTooManyRequests, "too_many_requests")
}

func TestAuthThrottleMemoryIsBounded(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	limiter := middleware.NewAuthLimiter(2, time.Minute, 5, clock.Now)
	h := newHarnessWith(t, nil, func(d *controllers.Deps) { d.AuthLimiter = limiter })
	for i := 0; i < 2; i++ {
		assertError(t, h.from("192.0.2.1", "wrong", "/api/v1/configs"), http.StatusUnauthorized, "unauthorized")
	}
	assertError(t, h.from("192.0.2.1", "wrong", "/api/v1/configs"), http.StatusTooManyRequests, "too_many_requests")
	for i := 2; i < 50; i++ {
		clock.Advance(time.Millisecond)
		assertError(t, h.from(fmt.Sprintf("192.0.2.%d", i), "wrong", "/api/v1/configs"), http.StatusUnauthorized, "unauthorized")
		assert.LessOrEqual(t, limiter.Len(), 5)
	}
	assert.Equal(t, 5, limiter.Len())
	// The oldest address was forgotten.
	assertError(t, h.from("192.0.2.1", "wrong", "/api/v1/configs"), http.StatusUnauthorized, "unauthorized")
	clock.Advance(time.Minute)
	assertError(t, h.from("192.0.2.200", "wrong", "/api/v1/configs"), http.StatusUnauthorized, "unauthorized")
	assert.Equal(t, 1, limiter.Len(), "ended windows are forgotten")
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	h := newHarness(t)
	id := h.seedConfig("headers", "github")
	cases := []struct {
		name   string
		method string
		path   string
		key    bool
		status int
	}{
		{"health", "GET", "/health", false, http.StatusOK},
		{"readiness", "GET", "/readyz", false, http.StatusOK},
		{"read", "GET", "/api/v1/configs/" + id, true, http.StatusOK},
		{"create", "POST", "/api/v1/configs", true, http.StatusBadRequest},
		{"unauthorized", "GET", "/api/v1/configs", false, http.StatusUnauthorized},
		{"unknown route", "GET", "/api/v1/nope", true, http.StatusNotFound},
		{"wrong method", "PATCH", "/api/v1/configs", true, http.StatusMethodNotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			headers := map[string]string{}
			if tc.key {
				headers["Authorization"] = "Bearer " + testAdminKey
			}
			res := h.doWith(tc.method, tc.path, nil, headers)
			require.Equal(t, tc.status, res.Code, "body: %s", res.Raw)
			assert.NotEmpty(t, res.Body["timestamp"], "the body is the envelope")
			assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
			assert.Equal(t, "DENY", res.Header.Get("X-Frame-Options"))
			assert.Equal(t, "no-referrer", res.Header.Get("Referrer-Policy"))
			assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))
		})
	}
}
