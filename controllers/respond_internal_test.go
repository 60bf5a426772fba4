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

	"github.com/securemcp/gateway/services/errs"
)

// Every kind has a status; one added without a status must still answer (a
// 500), never write status 0, which net/http refuses with a panic.
func TestEveryErrorKindAnswers(t *testing.T) {
	gin.SetMode(gin.TestMode)
	w := errorWriter{log: zap.NewNop()}
	// The statuses are written out here, not read from statusOf: a wrong entry
	// in the table must fail this test.
	unknown := errs.Kind(len(errs.Kinds())) // a kind with no status
	want := map[errs.Kind]int{
		errs.KindInternal:         http.StatusInternalServerError,
		errs.KindInvalid:          http.StatusBadRequest,
		errs.KindNotFound:         http.StatusNotFound,
		errs.KindConflict:         http.StatusConflict,
		errs.KindTooLarge:         http.StatusRequestEntityTooLarge,
		errs.KindUnavailable:      http.StatusServiceUnavailable,
		errs.KindUnauthorized:     http.StatusUnauthorized,
		errs.KindForbidden:        http.StatusForbidden,
		errs.KindTooManyRequests:  http.StatusTooManyRequests,
		errs.KindMethodNotAllowed: http.StatusMethodNotAllowed,
		errs.KindTimeout:          http.StatusServiceUnavailable,
		unknown:                   http.StatusInternalServerError,
	}
	for _, kind := range append(errs.Kinds(), unknown) {
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest("GET", "/", nil)
		w.fail(c, &errs.Error{Kind: kind, Message: "m", Err: errors.New("cause")})
		require.Contains(t, want, kind, "kind %d has no expected status in this test", kind)
		assert.Equal(t, want[kind], rec.Code, "kind %d", kind)
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
