package services

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLength is the longest name of a configuration, project or server.
const MaxNameLength = 128

// MaxSearchTermLength bounds search terms: no stored name or e-mail is longer,
// and an unbounded term would reach the database's limit on pattern size.
const MaxSearchTermLength = 1024

// checkSearchTerm refuses an empty or overlong term, before the store sees it.
func checkSearchTerm(term string) error {
	switch {
	case term == "":
		return Invalid("search_term is required")
	case !utf8.ValidString(term):
		return Invalid("search_term must be valid UTF-8")
	case utf8.RuneCountInString(term) > MaxSearchTermLength:
		return Invalid("search_term must be at most %d characters", MaxSearchTermLength)
	}
	return nil
}

// CleanName trims a name and checks it: 1–128 characters, no control
// characters and no '/'. field names the request field in the error.
func CleanName(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	if err := nameProblem(name); err != "" {
		return "", Invalid("%s %s", field, err)
	}
	return name, nil
}

func nameProblem(name string) string {
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

// CleanEmail checks that s is exactly one e-mail address and returns it lowercased.
func CleanEmail(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Invalid("%s is required", field)
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" || len(s) > 254 || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", Invalid("%s must be a single valid e-mail address", field)
	}
	return strings.ToLower(s), nil
}
