// Package middleware holds the Gin middleware of the API: request id, request
// log, recovery, CORS, body limit and admin authentication. Every error it
// writes uses the API's error envelope.
package middleware

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/errs"
)

// WriteError aborts the request with the error envelope.
func WriteError(c *gin.Context, status int, category, detail string, issues ...string) {
	c.Set(errorCategoryKey, category)
	c.AbortWithStatusJSON(status, models.ErrorResponse{
		Error:     category,
		Detail:    detail,
		Issues:    issues,
		RequestID: RequestIDOf(c),
		Timestamp: time.Now().UTC(),
	})
}

// errorCategoryKey keeps, in the request, the category of the error written.
const errorCategoryKey = "smg.error_category"

// ErrorCategory is the "error" of the envelope WriteError wrote for the
// request ("not_found", "forbidden", …), "" when it wrote none: what the
// audit trail gives as the reason of a refusal.
func ErrorCategory(c *gin.Context) string { return c.GetString(errorCategoryKey) }

// NoRoute answers unknown paths with the error envelope.
func NoRoute(c *gin.Context) {
	WriteError(c, http.StatusNotFound, errs.KindNotFound.String(), "no route for "+RequestMethod(c.Request)+" "+c.Request.URL.Path)
}

// NoMethod answers a known path with a method it does not serve.
func NoMethod(c *gin.Context) {
	// Every GET route answers HEAD too (HeadAsGet), which the router cannot know.
	if allow := c.Writer.Header().Get("Allow"); slices.Contains(strings.Split(allow, ", "), http.MethodGet) {
		c.Header("Allow", allow+", "+http.MethodHead)
	}
	WriteError(c, http.StatusMethodNotAllowed, errs.KindMethodNotAllowed.String(), "method "+RequestMethod(c.Request)+" is not allowed on "+c.Request.URL.Path)
}
