package entity

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/securemcp/gateway/services/errs"
)

// MaxNameLength is the longest name of a configuration, project or server.
const MaxNameLength = 128

// MaxSearchTermLength bounds search terms: no stored name or e-mail is longer,
// and an unbounded term would reach the database's limit on pattern size.
const MaxSearchTermLength = 1024

// CheckSearchTerm refuses an empty or overlong term, before the store sees it.
func CheckSearchTerm(term string) error {
	switch {
	case term == "":
		return errs.Field("search_term", term, "is required")
	case !StorableText(term):
		return errs.Field("search_term", term, "must be valid UTF-8 without NUL characters")
	case utf8.RuneCountInString(term) > MaxSearchTermLength:
		return errs.Field("search_term", term, "must be at most %d characters", MaxSearchTermLength)
	}
	return nil
}

// CleanName trims a name and checks it: 1–128 characters, no control
// characters, no '/', and not "." or "..". field names the request field in
// the error.
func CleanName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	if err := newNameProblem(name); err != "" {
		return "", errs.Field(field, name, "%s", err)
	}
	return name, nil
}

// CleanEntityName is CleanName for configurations and projects, which paths
// name by id or by name: a new name that could be read as an id is refused,
// so that no name can ever designate another entity than the one it names.
func CleanEntityName(field, name string) (string, error) {
	name, err := CleanName(field, name)
	if err != nil {
		return "", err
	}
	if p := entityNameProblem(name); p != "" {
		return "", errs.Field(field, name, "%s", p)
	}
	return name, nil
}

func entityNameProblem(name string) string {
	if p := newNameProblem(name); p != "" {
		return p
	}
	if len(name) == 36 {
		if _, err := uuid.Parse(name); err == nil {
			return "must not have the form of an id (a UUID): paths take an id or a name"
		}
	}
	return ""
}

func NameProblem(name string) string {
	switch {
	case name == "":
		return "is required"
	case !utf8.ValidString(name):
		return "must be valid UTF-8"
	case utf8.RuneCountInString(name) > MaxNameLength:
		return fmt.Sprintf("must be at most %d characters", MaxNameLength)
	case strings.ContainsRune(name, '/'):
		return "must not contain '/'"
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "must not contain control characters"
	}
	return ""
}

// newNameProblem adds the rules for names given from now on to those every
// stored name follows: a backup of an earlier version, or a server stored then,
// keeps a name it was allowed to have.
func newNameProblem(name string) string {
	if p := NameProblem(name); p != "" {
		return p
	}
	if ReservedName(name) {
		return ReservedNameProblem
	}
	return ""
}

// ReservedName reports "." and "..": in a path they are the current and the
// parent segment, which clients and proxies rewrite to another resource's path.
func ReservedName(name string) bool { return name == "." || name == ".." }

const ReservedNameProblem = `must not be "." or ".."`

// CleanEmail checks that s is exactly one e-mail address and returns it lowercased.
func CleanEmail(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errs.Field(field, s, "is required")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" || len(s) > 254 || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", errs.Field(field, s, "must be a single valid e-mail address")
	}
	return strings.ToLower(s), nil
}
