package models

import (
	"encoding/json"
	"fmt"
	"strings"
)

// DescribeTypeError says, in JSON's terms rather than Go's, which member of a
// document has the wrong type. doc names the document ("input_file", "config");
// empty means the request body, whose members are named alone.
func DescribeTypeError(doc string, e *json.UnmarshalTypeError) string {
	want, got := JSONType(e.Type.String()), e.Value
	if got == "bool" {
		got = "boolean"
	}
	if e.Field == "" {
		if doc == "" {
			doc = "request body"
		}
		return fmt.Sprintf("%s must be a JSON %s, not %s", doc, want, got)
	}
	msg := fmt.Sprintf("field %s must be of type %s, not %s", e.Field, want, got)
	if doc != "" {
		msg = doc + ": " + msg
	}
	return msg
}

// JSONType names a Go type the way a JSON client thinks of it.
func JSONType(goType string) string {
	goType = strings.TrimPrefix(goType, "*")
	switch {
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "struct"), strings.Contains(goType, "."):
		return "object"
	case strings.HasPrefix(goType, "[]"):
		return "array"
	case goType == "string":
		return "string"
	case goType == "bool":
		return "boolean"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "integer"
	default:
		return "number"
	}
}
