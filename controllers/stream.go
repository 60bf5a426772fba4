package controllers

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/middleware"
	"github.com/securemcp/gateway/services/entity"
)

// ConcurrentListings is how many whole lists are written at once by
// default: one per two cores. Each costs a core while it runs: eight listings
// of 100,000 keys at once starved every other request for tens of seconds.
func ConcurrentListings() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// listGate bounds the whole (or largely paged) lists written at once; the
// others wait their turn, within their time limit.
type listGate chan struct{}

func newListGate(n int) listGate {
	if n <= 0 {
		n = ConcurrentListings()
	}
	return make(listGate, n)
}

// enter waits for a turn; the returned function ends it.
func (g listGate) enter(ctx context.Context) (func(), error) {
	select {
	case g <- struct{}{}:
		return func() { <-g }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// streamBuffer is what a listing holds before it writes to the connection.
const streamBuffer = 32 << 10

// streamList writes a listing as the list envelope ({"message", "data",
// "timestamp"}, total in X-Total-Count) item by item as the store yields
// them, so that a list of any length costs the memory of one batch. A failure
// before anything was sent is answered with the error envelope; after, the
// connection is cut, so that a client never takes a truncated list for a
// whole one.
func streamList[T, U any](w errorWriter, gate listGate, c *gin.Context, message string, l entity.Listing[T], item func(T) U) {
	ctx := c.Request.Context()
	if !l.Paged() {
		leave, err := gate.enter(ctx)
		if err != nil {
			w.fail(c, err)
			return
		}
		defer leave()
	}
	conn := &startOnWrite{c: c, total: l.Total}
	out := bufio.NewWriterSize(conn, streamBuffer)
	head, _ := json.Marshal(message) // a string always encodes
	_, _ = out.WriteString(`{"message":`)
	_, _ = out.Write(head)
	_, _ = out.WriteString(`,"data":[`)
	first := true
	err := l.Each(ctx, func(v T) error {
		raw, err := json.Marshal(item(v))
		if err != nil {
			return err
		}
		if !first {
			_ = out.WriteByte(',')
		}
		first = false
		_, err = out.Write(raw)
		return err
	})
	switch {
	case err != nil && !conn.started:
		w.fail(c, err)
		return
	case err != nil:
		w.log.Error("listing failed after its start; connection cut", zap.String("request_id", middleware.RequestIDOf(c)),
			zap.String("route", c.FullPath()), zap.Error(err))
		panic(http.ErrAbortHandler)
	}
	tail, _ := json.Marshal(time.Now().UTC()) // a time always encodes
	_, _ = out.WriteString(`],"timestamp":`)
	_, _ = out.Write(tail)
	_ = out.WriteByte('}')
	_ = out.Flush() // a client gone is nothing to answer
}

// startOnWrite sends the status and headers of a listing with its first bytes.
type startOnWrite struct {
	c       *gin.Context
	total   int
	started bool
}

func (s *startOnWrite) Write(p []byte) (int, error) {
	if !s.started {
		s.started = true
		s.c.Header("X-Total-Count", strconv.Itoa(s.total))
		s.c.Header("Content-Type", "application/json; charset=utf-8")
		s.c.Status(http.StatusOK)
	}
	return s.c.Writer.Write(p)
}
