package middleware

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// AdminKeySource returns the current admin key; it may change at run time.
type AdminKeySource interface {
	AdminKey() string
}

// AdminAuth requires "Authorization: Bearer <admin key>". Both keys are hashed
// before a constant-time comparison, so neither their content nor their length
// shows in the timing.
func AdminAuth(keys AdminKeySource) gin.HandlerFunc {
	return func(c *gin.Context) {
		scheme, token, ok := strings.Cut(c.GetHeader("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			unauthorized(c, "missing bearer token: send Authorization: Bearer <admin_apikey>")
			return
		}
		expected := keys.AdminKey()
		got := sha256.Sum256([]byte(strings.TrimSpace(token)))
		want := sha256.Sum256([]byte(expected))
		if expected == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			unauthorized(c, "invalid admin API key")
			return
		}
		c.Next()
	}
}

func unauthorized(c *gin.Context, detail string) {
	c.Header("WWW-Authenticate", `Bearer realm="secure-mcp-gateway"`)
	WriteError(c, http.StatusUnauthorized, "unauthorized", detail)
}
