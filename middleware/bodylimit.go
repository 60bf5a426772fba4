package middleware

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/securemcp/gateway/services/errs"
)

// Draining: what is left of a request body once the answer is written is read
// and discarded, up to DrainLimit bytes and for at most DrainTimeout.
// Closing a connection with unread bytes makes the kernel send a reset, which
// destroys the answer on its way: a client that sends its whole body before
// reading (Python's urllib and requests do) would see "connection reset by
// peer" instead of the 413 that explains what happened. net/http drains
// 256 KiB by itself; bodies a little over the limit need more.
const (
	DrainLimit   = 4 << 20
	DrainTimeout = 10 * time.Second
)

// BodyLimit refuses bodies larger than limit bytes with 413: at once when the
// declared length is too large, else when reading passes the limit (the
// controllers map the reader's error to 413). Then, whatever the answer, it
// drains the body the handlers left unread (see DrainLimit).
func BodyLimit(limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		body := &countingBody{ReadCloser: c.Request.Body}
		if c.Request.Body == nil || c.Request.Body == http.NoBody {
			c.Next()
			return
		}
		if c.Request.ContentLength > limit {
			c.Header("Connection", "close")
			WriteError(c, http.StatusRequestEntityTooLarge, errs.KindTooLarge.String(), fmt.Sprintf("request body exceeds the limit of %d bytes", limit))
			drain(c, body)
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, body, limit)
		c.Next()
		drain(c, body)
	}
}

// countingBody counts what was read of a body and whether its end was seen.
type countingBody struct {
	io.ReadCloser
	n   int64
	eof bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

// drain sends the answer, then reads what is left of the body within the
// bounds. A body declared longer than the bounds is left alone: it could not
// be read in full anyway. A client that asked to be told before sending
// (Expect: 100-continue) sends nothing after a final answer.
func drain(c *gin.Context, body *countingBody) {
	if body.eof || strings.EqualFold(c.GetHeader("Expect"), "100-continue") {
		return
	}
	if n := c.Request.ContentLength; n >= 0 && n-body.n > DrainLimit {
		return
	}
	c.Writer.Flush()
	// The deadline bounds a client that trickles; net/http sets the next
	// request's own deadlines when the connection is reused.
	_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(DrainTimeout)) // not every writer has a connection (tests)
	_, _ = io.CopyN(io.Discard, body, DrainLimit)
}
