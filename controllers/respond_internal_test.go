package controllers

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/services/errs"
)

// Every kind has a status; one added without a status must still answer (a
// 500), never write status 0, which net/http refuses with a panic.
func TestEveryErrorKindAnswers(t *testing.T) {
	gin.SetMode(gin.TestMode)
	w := errorWriter{log: zap.NewNop()}
	for kind := errs.KindInternal; kind <= errs.KindUnauthorized+1; kind++ {
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest("GET", "/", nil)
		w.fail(c, &errs.Error{Kind: kind, Message: "m", Err: errors.New("cause")})
		want, known := statusOf[kind]
		if !known {
			want = http.StatusInternalServerError
		}
		assert.Equal(t, want, rec.Code, "kind %d", kind)
		assert.NotContains(t, rec.Body.String(), "cause", "causes stay in the log")
	}
}

// The API decides a status for every code of the one table.
func TestEveryErrorKindHasAStatus(t *testing.T) {
	for _, kind := range errs.Kinds() {
		_, known := statusOf[kind]
		assert.True(t, known, "no status for kind %q", kind)
	}
}
