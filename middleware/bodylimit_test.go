package middleware_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"

	"github.com/securemcp/gateway/middleware"
)

// readCounter counts the bytes read from a body.
type readCounter struct {
	r io.Reader
	n int
}

func (c *readCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// What a handler leaves of a body is read after the answer, within bounds, so
// that a client writing its whole body before reading gets the answer and no
// connection reset.
func TestBodyLimitDrainsTheRestOfTheBody(t *testing.T) {
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(middleware.BodyLimit(1 << 20))
	r.POST("/ignore", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	r.POST("/read", func(c *gin.Context) {
		_, err := io.ReadAll(c.Request.Body)
		if err != nil {
			middleware.WriteError(c, http.StatusRequestEntityTooLarge, "payload_too_large", err.Error())
			return
		}
		c.Status(http.StatusNoContent)
	})
	send := func(path string, size int, chunked bool, headers ...string) (*httptest.ResponseRecorder, int) {
		body := &readCounter{r: bytes.NewReader(make([]byte, size))}
		req := httptest.NewRequest("POST", path, body)
		req.ContentLength = int64(size)
		if chunked {
			req.ContentLength = -1
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		return rec, body.n
	}

	rec, read := send("/read", 2<<20, false)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	assert.Equal(t, "close", rec.Header().Get("Connection"))
	assert.Equal(t, 2<<20, read, "a declared length over the limit: refused at once, then drained")

	rec, read = send("/read", 3<<20, true)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	assert.Equal(t, 3<<20, read, "passing the limit while reading: drained too")

	rec, read = send("/ignore", 512<<10, false)
	assert.Equal(t, http.StatusNoContent, rec.Code)
	assert.Equal(t, 512<<10, read, "a body the handler did not read")

	_, read = send("/read", middleware.DrainLimit+1, false)
	assert.Zero(t, read, "a declared length past what draining reads is not read at all")

	_, read = send("/read", 8<<20, true)
	assert.Equal(t, (1<<20)+1+middleware.DrainLimit, read, "an undeclared length is drained up to the bound, then left")

	_, read = send("/read", 2<<20, false, "Expect", "100-continue")
	assert.Zero(t, read, "a client waiting for 100 Continue sends nothing after the 413")
}
