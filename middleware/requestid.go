package middleware

import (
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// RequestIDHeader carries the request id in both directions.
const RequestIDHeader = "X-Request-ID"

const requestIDKey = "request_id"

// maxRequestIDLength bounds an accepted client request id.
const maxRequestIDLength = 128

// RequestID accepts a well-formed X-Request-ID from the client or generates
// one, stores it in the context and echoes it in the response.
func RequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(RequestIDHeader)
		if !validRequestID(id) {
			id = uuid.NewString()
		}
		c.Set(requestIDKey, id)
		c.Header(RequestIDHeader, id)
		c.Next()
	}
}

// validRequestID keeps ids printable and short, so that they are safe in logs.
func validRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// RequestIDOf returns the request id of the current request.
func RequestIDOf(c *gin.Context) string { return c.GetString(requestIDKey) }
