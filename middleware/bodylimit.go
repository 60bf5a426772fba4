package middleware

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

// BodyLimit refuses bodies larger than limit bytes with 413: at once when the
// declared length is too large, else when reading passes the limit (the
// controllers map the reader's error to 413).
func BodyLimit(limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > limit {
			WriteError(c, http.StatusRequestEntityTooLarge, "payload_too_large", fmt.Sprintf("request body exceeds the limit of %d bytes", limit))
			return
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		c.Next()
	}
}
