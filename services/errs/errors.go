// Package errs holds the one domain error type of the services: every failure
// a caller can act on is an *Error with a kind; the shells (API, CLI) decide
// how each kind is shown.
package errs

import (
	"errors"
	"fmt"
	"strings"
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
	// KindForbidden is a refused origin, or a valid admin credential whose
	// role does not permit the operation.
	KindForbidden
	// The kinds below only the API's HTTP shell reports: a throttled client,
	// a method a path does not serve, a request out of time.
	KindTooManyRequests
	KindMethodNotAllowed
	KindTimeout
)

// Error is the one domain error type. Message is safe to show to a client; Err,
// if any, is the cause for the log only.
type Error struct {
	Kind    Kind
	Message string
	// Issues lists every problem found when there are several (validation).
	Issues []string
	// Fields, when set, is the same problem in structured form: the field,
	// the rule it breaks and the value given. Message names the field as the
	// services (and the API) do; another shell renders its own (Describe).
	Fields []FieldProblem
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
