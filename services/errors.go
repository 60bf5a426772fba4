// Package services holds the business rules of the gateway. Services speak in
// domain types and return *Error for every failure a caller can act on.
package services

import (
	"errors"
	"fmt"
	"strings"

	"github.com/securemcp/gateway/repositories"
)

// Kind classifies a domain error; controllers map each kind to one HTTP status.
type Kind int

// Error kinds.
const (
	KindInternal Kind = iota
	KindInvalid
	KindNotFound
	KindConflict
	KindTooLarge
	KindUnavailable
	// KindUnauthorized is a refused credential (an API key that does not verify).
	KindUnauthorized
	// KindForbidden is a valid credential whose role does not permit the operation.
	KindForbidden
)

func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindNotFound:
		return "not_found"
	case KindConflict:
		return "conflict"
	case KindTooLarge:
		return "payload_too_large"
	case KindUnavailable:
		return "unavailable"
	case KindUnauthorized:
		return "unauthorized"
	case KindForbidden:
		return "forbidden"
	default:
		return "internal"
	}
}

// Error is the one domain error type. Message is safe to show to a client; Err,
// if any, is the cause for the log only.
type Error struct {
	Kind    Kind
	Message string
	// Issues lists every problem found when there are several (validation).
	Issues []string
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Invalid reports bad input.
func Invalid(format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Message: fmt.Sprintf(format, args...)}
}

// Reports of many problems are capped: a restore document with a hundred
// thousand bad rows must give an answer a person can read, not one as large as
// the document. The detail names the first twenty, the issue list the first
// hundred, and both say how many more there are.
const (
	maxDetailIssues   = 20
	maxReportedIssues = 100
)

// InvalidIssues reports several problems at once.
func InvalidIssues(issues []string) *Error {
	return &Error{Kind: KindInvalid, Message: strings.Join(capIssues(issues, maxDetailIssues), "; "), Issues: capIssues(issues, maxReportedIssues)}
}

// capIssues keeps the first max issues and says how many were left out.
func capIssues(issues []string, max int) []string {
	if len(issues) <= max {
		return issues
	}
	more := len(issues) - max
	plural := "s"
	if more == 1 {
		plural = ""
	}
	return append(issues[:max:max], fmt.Sprintf("... and %d more problem%s", more, plural))
}

// NotFound reports an unknown entity.
func NotFound(format string, args ...any) *Error {
	return &Error{Kind: KindNotFound, Message: fmt.Sprintf(format, args...)}
}

// Conflict reports a duplicate or an entity still in use.
func Conflict(format string, args ...any) *Error {
	return &Error{Kind: KindConflict, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err: that of a wrapped *Error, else KindInternal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// storeErr converts a repository error into a domain error: sentinel errors
// become not found or conflict with the given client message; anything else
// stays internal with its cause kept for the log.
func storeErr(err error, notFound, conflict string) error {
	var e *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e):
		return err
	case errors.Is(err, repositories.ErrNotFound) && notFound != "":
		return &Error{Kind: KindNotFound, Message: notFound, Err: err}
	case (errors.Is(err, repositories.ErrConflict) || errors.Is(err, repositories.ErrReferenced)) && conflict != "":
		return &Error{Kind: KindConflict, Message: conflict, Err: err}
	case errors.Is(err, repositories.ErrUnstorable):
		// The services refuse such text where they know it; this is the
		// backstop for any they do not.
		return &Error{Kind: KindInvalid, Message: "a value contains a NUL character or invalid UTF-8, which cannot be stored", Err: err}
	default:
		return &Error{Kind: KindInternal, Message: "storage failure", Err: err}
	}
}
