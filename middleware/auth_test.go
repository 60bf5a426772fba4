package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"

	"github.com/securemcp/gateway/middleware"
)

type fixedKey string

func (k fixedKey) AdminKey() string { return string(k) }

const adminKey = "admin-key-0123456789abcdef0123456789abcdef"

// A credential other than the admin key (the MCP gateway's user keys) is
// guarded by Authenticate with a limiter of its own: a flood of bad keys
// there never throttles the admin API, not even from the same address.
func TestSeparateLimitersNeverThrottleEachOther(t *testing.T) {
	gin.SetMode(gin.TestMode)
	now := func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	adminLimiter := middleware.NewAuthLimiter(3, time.Minute, 100, now)
	gatewayLimiter := middleware.NewAuthLimiter(3, time.Minute, 100, now)
	storeDown := false
	gatewayCheck := func(c *gin.Context) (string, bool) {
		if storeDown {
			middleware.WriteError(c, http.StatusInternalServerError, "internal_error", "store unavailable")
			return "", false
		}
		token, ok := middleware.BearerToken(c)
		return "invalid API key", ok && token == "user-key"
	}
	r := gin.New()
	r.Use(middleware.RequestID())
	r.GET("/admin", middleware.AdminAuth(fixedKey(adminKey), adminLimiter), func(c *gin.Context) { c.Status(http.StatusOK) })
	r.GET("/mcp", middleware.Authenticate("mcp-gateway", gatewayCheck, gatewayLimiter), func(c *gin.Context) { c.Status(http.StatusOK) })
	send := func(path, key string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = "198.51.100.1:5000"
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		return rec
	}

	for i := 0; i < 3; i++ {
		res := send("/mcp", "bad-user-key")
		assert.Equal(t, http.StatusUnauthorized, res.Code)
		assert.Equal(t, `Bearer realm="mcp-gateway"`, res.Header().Get("WWW-Authenticate"))
	}
	for i := 0; i < 50; i++ {
		assert.Equal(t, http.StatusTooManyRequests, send("/mcp", "bad-user-key").Code)
	}
	assert.Equal(t, http.StatusOK, send("/mcp", "user-key").Code, "a valid key passes even when its address is blocked")
	assert.Equal(t, http.StatusUnauthorized, send("/admin", "wrong").Code, "the admin limiter has counted nothing")
	assert.Equal(t, http.StatusOK, send("/admin", adminKey).Code)
	assert.Equal(t, 1, gatewayLimiter.Len())
	assert.Equal(t, 1, adminLimiter.Len())

	// A check that answers the request itself is not a refusal: not counted,
	// and nothing is written over its answer.
	storeDown = true
	other := httptest.NewRequest("GET", "/mcp", nil)
	other.RemoteAddr = "198.51.100.2:5000"
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, other)
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Empty(t, rec.Header().Get("WWW-Authenticate"))
	assert.Equal(t, 1, gatewayLimiter.Len(), "the failure of the store is not the client's")
}
