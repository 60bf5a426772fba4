package middleware

import "github.com/gin-gonic/gin"

// SecurityHeaders sets on every response the headers that keep browsers from
// sniffing content types, framing the pages, leaking the URL in Referer, and
// caches from keeping responses (they may carry configuration or key data).
func SecurityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		c.Next()
	}
}
