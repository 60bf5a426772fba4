package middleware

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// RequestObserver records served requests (metrics.Metrics in the server).
type RequestObserver interface {
	ObserveRequest(method, route string, status int, elapsed time.Duration)
}

// Metrics reports every request to obs by method, route pattern (gin's
// FullPath; the raw path would make one series per id) and status. Labels come
// from bounded sets only: any client can send any method name, before it is
// authenticated, and each distinct label value would be a new series.
func Metrics(obs RequestObserver) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		method := RequestMethod(c.Request)
		if !standardMethods[method] {
			method = "other"
		}
		obs.ObserveRequest(method, route, c.Writer.Status(), time.Since(start))
	}
}

var standardMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true, http.MethodPatch: true,
	http.MethodDelete: true, http.MethodOptions: true, http.MethodConnect: true, http.MethodTrace: true,
}
