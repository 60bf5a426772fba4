package middleware

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/services/errs"
)

const corsMethods = "GET, POST, PUT, DELETE, OPTIONS"

// CORS allows the configured origins ("*" allows all, without credentials) and
// answers preflight requests.
func CORS(origins []string) gin.HandlerFunc {
	allowAll := len(origins) == 0 || slices.Contains(origins, "*")
	return func(c *gin.Context) {
		origin := c.GetHeader("Origin")
		if origin == "" {
			c.Next()
			return
		}
		h := c.Writer.Header()
		switch {
		case allowAll:
			h.Set("Access-Control-Allow-Origin", "*")
		case slices.Contains(origins, origin):
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
		default:
			if c.Request.Method == http.MethodOptions {
				WriteError(c, http.StatusForbidden, errs.KindForbidden.String(), "origin "+origin+" is not allowed")
				return
			}
			c.Next()
			return
		}
		h.Set("Access-Control-Expose-Headers", "X-Request-ID, X-Total-Count")
		if c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", corsMethods)
			allowed := c.GetHeader("Access-Control-Request-Headers")
			if allowed == "" {
				allowed = "Authorization, Content-Type, X-Request-ID"
			}
			h.Set("Access-Control-Allow-Headers", strings.TrimSpace(allowed))
			h.Set("Access-Control-Max-Age", "600")
			c.AbortWithStatus(http.StatusNoContent)
			return
		}
		c.Next()
	}
}
