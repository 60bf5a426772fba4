package middleware

import (
	"time"

	"github.com/gin-gonic/gin"
)

// RequestObserver records served requests (metrics.Metrics in the server).
type RequestObserver interface {
	ObserveRequest(method, route string, status int, elapsed time.Duration)
}

// Metrics reports every request to obs by route pattern (gin's FullPath; the
// raw path would make one series per id) and status.
func Metrics(obs RequestObserver) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		obs.ObserveRequest(c.Request.Method, route, c.Writer.Status(), time.Since(start))
	}
}
