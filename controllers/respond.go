// Package controllers holds the Gin handlers of the management API: each binds
// and validates a request, calls one service method and writes the envelope.
package controllers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/securemcp/gateway/middleware"
	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
)

// ok writes the success envelope.
func ok(c *gin.Context, status int, message string, data any) {
	c.JSON(status, models.Envelope{Message: message, Data: data, Timestamp: time.Now().UTC()})
}

// statusOf is the one table from error kind to HTTP status.
var statusOf = map[errs.Kind]int{
	errs.KindInvalid:          http.StatusBadRequest,
	errs.KindNotFound:         http.StatusNotFound,
	errs.KindConflict:         http.StatusConflict,
	errs.KindTooLarge:         http.StatusRequestEntityTooLarge,
	errs.KindUnavailable:      http.StatusServiceUnavailable,
	errs.KindUnauthorized:     http.StatusUnauthorized,
	errs.KindForbidden:        http.StatusForbidden,
	errs.KindTooManyRequests:  http.StatusTooManyRequests,
	errs.KindMethodNotAllowed: http.StatusMethodNotAllowed,
	errs.KindTimeout:          http.StatusServiceUnavailable,
	errs.KindInternal:         http.StatusInternalServerError,
}

// errorWriter maps service errors to the error envelope; causes of 5xx go to
// the log, never to the client.
type errorWriter struct {
	log *zap.Logger
}

// statusClientClosedRequest is the status proxies log for a request whose
// client went away before the answer (no standard code exists).
const statusClientClosedRequest = 499

func (w errorWriter) fail(c *gin.Context, err error) {
	if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
		// The client left: nothing failed on this side, and nobody reads an answer.
		c.AbortWithStatus(statusClientClosedRequest)
		return
	}
	if middleware.TimedOut(c) {
		// Whatever failed, it failed for want of time: the store was busy
		// (a restore holds it, say), and the client may retry.
		w.log.Warn("request timed out", zap.String("request_id", middleware.RequestIDOf(c)), zap.String("route", c.FullPath()), zap.Error(err))
		c.Header("Retry-After", "5")
		middleware.WriteError(c, statusOf[errs.KindTimeout], errs.KindTimeout.String(),
			"the request did not complete within its time limit (the store may be busy with a long operation such as a restore); retry later")
		return
	}
	var e *errs.Error
	if !errors.As(err, &e) {
		e = &errs.Error{Kind: errs.KindInternal, Err: err}
	}
	status, known := statusOf[e.Kind]
	if !known || status >= 500 {
		status = max(status, http.StatusInternalServerError) // a kind without a status is a server fault
		w.log.Error("request failed", zap.String("request_id", middleware.RequestIDOf(c)), zap.String("route", c.FullPath()), zap.Error(err))
		// The services' message of an unavailable store ("the store does not
		// answer") is a fixed text, never the cause; other faults say nothing.
		what := "unexpected server error"
		if e.Kind == errs.KindUnavailable && e.Message != "" {
			what = e.Message
		}
		middleware.WriteError(c, status, e.Kind.FaultCode(), what+"; see the server log for request "+middleware.RequestIDOf(c))
		return
	}
	middleware.WriteError(c, status, e.Kind.String(), e.Message, e.Issues...)
}

// bind decodes the body into req, or writes the error and returns false.
func (w errorWriter) bind(c *gin.Context, req any) bool {
	if err := decodeBody(c, req); err != nil {
		w.fail(c, err)
		return false
	}
	return true
}

// reply writes data with status, or the error if err is not nil.
func (w errorWriter) reply(c *gin.Context, err error, status int, message string, data any) {
	if err != nil {
		w.fail(c, err)
		return
	}
	ok(c, status, message, data)
}

// decodeBody decodes a JSON body into req. An empty body decodes as {} so that routes
// whose fields are all optional accept none. Errors name the offending field.
func decodeBody(c *gin.Context, req any) error {
	body, err := io.ReadAll(c.Request.Body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return &errs.Error{Kind: errs.KindTooLarge, Message: fmt.Sprintf("request body exceeds the limit of %d bytes", tooLarge.Limit)}
	case err != nil:
		return errs.Invalid("cannot read request body: %v", err)
	}
	if strings.TrimSpace(string(body)) == "" {
		body = []byte("{}")
	}
	if !utf8.Valid(body) {
		// The decoder would store U+FFFD in place of each bad byte: a name
		// other than the one sent.
		return errs.Invalid("request body must be UTF-8 encoded JSON")
	}
	if err := json.Unmarshal(body, req); err != nil {
		return decodeErr(err, req)
	}
	return nil
}

func decodeErr(err error, req any) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return errs.Invalid("%s", models.DescribeTypeError("", typeErr, req))
	case errors.As(err, &syntaxErr):
		return errs.Invalid("malformed JSON at byte %d: %v", syntaxErr.Offset, err)
	default:
		return errs.Invalid("malformed JSON: %v", err)
	}
}

// pageOf reads ?limit=&offset=.
func pageOf(c *gin.Context) (entity.Page, error) {
	var p entity.Page
	for _, q := range []struct {
		name string
		dst  *int
	}{{"limit", &p.Limit}, {"offset", &p.Offset}} {
		raw, present := c.GetQuery(q.name)
		if !present {
			continue
		}
		n, err := strconv.Atoi(raw)
		if errors.Is(err, strconv.ErrRange) && raw[0] != '-' {
			n, err = math.MaxInt, nil // more than there can be: all of them, or none left
		}
		if err != nil || n < 0 {
			return p, errs.Invalid("query parameter %s must be a non-negative integer", q.name)
		}
		*q.dst = n
	}
	return p, nil
}

// list writes a page of a list with its total in X-Total-Count.
func list(c *gin.Context, message string, items any, total int) {
	c.Header("X-Total-Count", strconv.Itoa(total))
	ok(c, http.StatusOK, message, items)
}
