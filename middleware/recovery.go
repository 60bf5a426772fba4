package middleware

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/services/errs"
)

// Recovery turns a panic into the 500 envelope; the panic value goes to the
// log only, never to the client.
func Recovery(log *zap.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p) // a handler cutting its connection on purpose: net/http does it, quietly
				}
				log.Error("panic serving request", zap.Any("panic", p), zap.String("request_id", RequestIDOf(c)), zap.Stack("stack"))
				if !c.Writer.Written() {
					WriteError(c, http.StatusInternalServerError, errs.KindInternal.FaultCode(), "unexpected server error; see the server log for request "+RequestIDOf(c))
				} else {
					c.Abort()
				}
			}
		}()
		c.Next()
	}
}
