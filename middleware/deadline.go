package middleware

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// Request time limits. A request gets RequestTimeout, within the server's
// read (30 s) and write (60 s) timeouts, so that one that cannot finish in
// time (a write queued behind a restore, say) is answered with 503 before the
// server would cut its connection and leave the client with an empty reply.
// Long operations (LongRoutes) get LongOperationTimeout, and their
// connection's write deadline is moved accordingly: they answer with their
// real outcome, however long the store takes. (The read deadline needs no
// change: net/http lifts it once the body is read.)
const (
	RequestTimeout       = 25 * time.Second
	LongOperationTimeout = 30 * time.Minute
	// answerMargin is left after a request's time limit to write its answer.
	answerMargin = 30 * time.Second
)

// Deadlines gives each request its time limit in its context: long for the
// requests isLong picks (whole-store operations, whole lists), short for the
// others (RequestTimeout and LongOperationTimeout in the server). Put it after
// authentication, so that only an administrator can hold a connection for
// long.
func Deadlines(short, long time.Duration, isLong func(*gin.Context) bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		limit := short
		if isLong(c) {
			limit = long
			// Past the server's write deadline, the answer would be lost.
			_ = http.NewResponseController(c.Writer).SetWriteDeadline(time.Now().Add(limit + answerMargin)) // not every writer has a connection (tests)
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), limit)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// RouteOf names a request's route as "METHOD /pattern".
func RouteOf(c *gin.Context) string { return c.Request.Method + " " + c.FullPath() }

// TimedOut reports whether the request's time limit has passed.
func TimedOut(c *gin.Context) bool {
	return c.Request.Context().Err() == context.DeadlineExceeded
}
