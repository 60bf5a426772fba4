package models

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// DescribeTypeError says, in JSON's terms rather than Go's, which member of a
// document has the wrong type. doc names the document ("input_file", "config");
// empty means the request body, whose members are named alone. target is the
// value the document was decoded into: it tells whether the member is a list
// or a map, whose item (not the member itself) had the wrong type.
func DescribeTypeError(doc string, e *json.UnmarshalTypeError, target any) string {
	want, got := JSONType(e.Type.String()), e.Value
	if got == "bool" {
		got = "boolean"
	}
	if e.Field == "" {
		if doc == "" {
			doc = "request body"
		}
		// A document that is itself a list or a map: the decoder names no
		// member for its items.
		switch _, container := walkPath(reflect.TypeOf(target), "", e.Type); container {
		case reflect.Slice, reflect.Array:
			return fmt.Sprintf("%s must be a JSON array of %s items; one is %s", doc, want, article(got))
		case reflect.Map:
			return fmt.Sprintf("%s must be a JSON object of %s values; one is %s", doc, want, article(got))
		}
		return fmt.Sprintf("%s must be a JSON %s, not %s", doc, want, got)
	}
	var msg string
	field, container := walkPath(reflect.TypeOf(target), e.Field, e.Type)
	switch container {
	case reflect.Slice, reflect.Array:
		msg = fmt.Sprintf("field %s must be an array of %s items; one is %s", field, want, article(got))
	case reflect.Map:
		msg = fmt.Sprintf("field %s must be an object of %s values; one is %s", field, want, article(got))
	default:
		msg = fmt.Sprintf("field %s must be of type %s, not %s", field, want, got)
	}
	if doc != "" {
		msg = doc + ": " + msg
	}
	return msg
}

// walkPath follows the decoder's dotted path through t. It returns the path
// as the client wrote it (the decoder also names embedded structs, whose
// members the document holds directly) and reflect.Slice or reflect.Map when
// the member is a list or a map of items of type item (the decoder reports an
// item's error under the member's path), else reflect.Invalid.
func walkPath(t reflect.Type, path string, item reflect.Type) (string, reflect.Kind) {
	if t == nil {
		return path, reflect.Invalid
	}
	var segments []string
	if path != "" {
		segments = strings.Split(path, ".")
	}
	kept := segments[:0:0]
	for _, name := range segments {
		t = elementsOf(t)
		switch t.Kind() {
		case reflect.Struct:
			f, ok := jsonField(t, name)
			if !ok {
				return path, reflect.Invalid
			}
			if !f.Anonymous || f.Tag.Get("json") != "" {
				kept = append(kept, name)
			}
			t = f.Type
		case reflect.Map:
			kept = append(kept, name)
			t = t.Elem()
		default:
			return path, reflect.Invalid
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if k := t.Kind(); (k == reflect.Slice || k == reflect.Array || k == reflect.Map) && t.Elem() == item {
		return strings.Join(kept, "."), k
	}
	return strings.Join(kept, "."), reflect.Invalid
}

// elementsOf looks through pointers and lists: paths do not name list indices.
func elementsOf(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		t = t.Elem()
	}
	return t
}

// jsonField finds the struct field a JSON member path segment names: by its
// json tag, else by its Go name (which the decoder reports when untagged).
func jsonField(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name || (tag == "" && f.Name == name) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// article prefixes a JSON type with "a" or "an".
func article(jsonType string) string {
	if strings.IndexByte("aeiou", jsonType[0]) >= 0 {
		return "an " + jsonType
	}
	return "a " + jsonType
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
