package errs

import (
	"fmt"
	"strings"
)

// FieldProblem is one input field that breaks one rule. Field is the name the
// services give it, which is the API's JSON name ("config_name"); Rule is the
// rule in words, read after the field's name ("is required"); Value is the
// value given, for a shell that wants to show it (never a secret: the
// services leave it empty for credentials).
type FieldProblem struct {
	Field string
	Rule  string
	Value string
}

// Field reports input whose field breaks a rule: "<field> <rule>".
func Field(field, value, rule string, args ...any) *Error {
	p := FieldProblem{Field: field, Rule: fmt.Sprintf(rule, args...), Value: value}
	return &Error{Kind: KindInvalid, Message: p.Field + " " + p.Rule, Fields: []FieldProblem{p}}
}

// Describe is the message of e with each field named by name (the CLI gives
// its flags' names); the message as it stands when e has no structured field
// problem or name is nil.
func (e *Error) Describe(name func(field string) string) string {
	if len(e.Fields) == 0 || name == nil {
		return e.Message
	}
	parts := make([]string, len(e.Fields))
	for i, p := range e.Fields {
		parts[i] = name(p.Field) + " " + p.Rule
	}
	return strings.Join(parts, "; ")
}
