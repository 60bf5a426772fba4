package middleware_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/securemcp/gateway/middleware"
)

func TestRecoveryWritesEnvelopeAndLogsCause(t *testing.T) {
	gin.SetMode(gin.TestMode)
	core, logs := observer.New(zap.InfoLevel)
	r := gin.New()
	r.Use(middleware.RequestID(), middleware.Recovery(zap.New(core)))
	r.GET("/boom", func(*gin.Context) { panic("secret internal detail") })
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	var body map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	assert.Equal(t, "internal_error", body["error"])
	assert.NotContains(t, rec.Body.String(), "secret internal detail", "the panic value never reaches the client")
	assert.Contains(t, body["detail"], rec.Header().Get("X-Request-ID"))
	require.Equal(t, 1, logs.FilterMessage("panic serving request").Len())
}

func TestLoggerNeverLogsAuthorization(t *testing.T) {
	gin.SetMode(gin.TestMode)
	core, logs := observer.New(zap.DebugLevel)
	r := gin.New()
	r.Use(middleware.RequestID(), middleware.Logger(zap.New(core)))
	r.POST("/x/:id", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	req := httptest.NewRequest("POST", "/x/42?token=abc", nil)
	req.Header.Set("Authorization", "Bearer super-secret-admin-key")
	r.ServeHTTP(httptest.NewRecorder(), req)
	require.Equal(t, 1, logs.Len())
	entry := logs.All()[0]
	fields := entry.ContextMap()
	assert.Equal(t, "/x/:id", fields["route"], "the route pattern is logged, not the raw path")
	assert.EqualValues(t, 204, fields["status"])
	for _, key := range []string{"method", "latency", "bytes", "request_id", "client_ip"} {
		assert.Contains(t, fields, key)
	}
	raw, _ := json.Marshal(fields)
	assert.NotContains(t, string(raw), "super-secret-admin-key")
	assert.NotContains(t, string(raw), "token=abc")
}

func TestCORSRestrictedOrigins(t *testing.T) {
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(middleware.CORS([]string{"https://ok.example"}))
	r.GET("/x", func(c *gin.Context) { c.Status(http.StatusOK) })
	r.OPTIONS("/x", func(c *gin.Context) { c.Status(http.StatusOK) })
	send := func(method, origin string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "/x", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "GET")
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		return rec
	}
	ok := send("GET", "https://ok.example")
	assert.Equal(t, "https://ok.example", ok.Header().Get("Access-Control-Allow-Origin"))
	assert.Contains(t, ok.Header().Values("Vary"), "Origin")
	other := send("GET", "https://evil.example")
	assert.Empty(t, other.Header().Get("Access-Control-Allow-Origin"))
	assert.Equal(t, http.StatusForbidden, send("OPTIONS", "https://evil.example").Code)
	assert.Equal(t, http.StatusNoContent, send("OPTIONS", "https://ok.example").Code)
}
