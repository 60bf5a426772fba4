package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"

	"github.com/securemcp/gateway/internal/actor"
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
	r.GET("/admin", middleware.AdminAuth(fixedKey(adminKey), nil, adminLimiter), func(c *gin.Context) { c.Status(http.StatusOK) })
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

// The bootstrap key acts as root with the admin role; any other token goes to
// the named-key check, whose actor the handler finds in the request's context
// with the request's id.
func TestAdminAuthPutsTheActorInTheRequest(t *testing.T) {
	gin.SetMode(gin.TestMode)
	limiter := middleware.NewAuthLimiter(100, time.Minute, 100, time.Now)
	named := func(c *gin.Context, token string) (string, bool) {
		if token != "smgadm_named" {
			return "invalid admin API key", false
		}
		middleware.SetActor(c, actor.Actor{Kind: actor.AdminKey, ID: "k1", Name: "ci", Role: actor.RoleViewer})
		return "", true
	}
	var seen actor.Actor
	r := gin.New()
	r.Use(middleware.RequestID())
	r.GET("/admin", middleware.AdminAuth(fixedKey(adminKey), named, limiter), func(c *gin.Context) {
		seen, _ = actor.From(c.Request.Context())
		c.Status(http.StatusOK)
	})
	send := func(key string) int {
		req := httptest.NewRequest("GET", "/admin", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("X-Request-ID", "req-"+key)
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		return rec.Code
	}
	assert.Equal(t, http.StatusOK, send(adminKey))
	assert.Equal(t, actor.Actor{Kind: actor.Root, Role: actor.RoleAdmin, RequestID: "req-" + adminKey, Addr: "192.0.2.1"}, seen,
		"the client address is httptest's peer")
	assert.Equal(t, http.StatusOK, send("smgadm_named"))
	assert.Equal(t, actor.Actor{Kind: actor.AdminKey, ID: "k1", Name: "ci", Role: actor.RoleViewer, RequestID: "req-smgadm_named", Addr: "192.0.2.1"}, seen)
	seen = actor.Actor{}
	assert.Equal(t, http.StatusUnauthorized, send("smgadm_other"))
	assert.Equal(t, actor.Actor{}, seen)
}
