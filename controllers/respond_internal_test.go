package controllers

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/services"
)

// Every kind has a status; one added without a status must still answer (a
// 500), never write status 0, which net/http refuses with a panic.
func TestEveryErrorKindAnswers(t *testing.T) {
	gin.SetMode(gin.TestMode)
	w := errorWriter{log: zap.NewNop()}
	// The statuses are written out here, not read from statusOf: a wrong entry
	// in the table must fail this test.
	want := map[services.Kind]int{
		services.KindInternal:         http.StatusInternalServerError,
		services.KindInvalid:          http.StatusBadRequest,
		services.KindNotFound:         http.StatusNotFound,
		services.KindConflict:         http.StatusConflict,
		services.KindTooLarge:         http.StatusRequestEntityTooLarge,
		services.KindUnavailable:      http.StatusServiceUnavailable,
		services.KindUnauthorized:     http.StatusUnauthorized,
		services.KindUnauthorized + 1: http.StatusInternalServerError, // a kind with no status
	}
	for kind := services.KindInternal; kind <= services.KindUnauthorized+1; kind++ {
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest("GET", "/", nil)
		w.fail(c, &services.Error{Kind: kind, Message: "m", Err: errors.New("cause")})
		require.Contains(t, want, kind, "kind %d has no expected status in this test", kind)
		assert.Equal(t, want[kind], rec.Code, "kind %d", kind)
		assert.NotContains(t, rec.Body.String(), "cause", "causes stay in the log")
	}
}
