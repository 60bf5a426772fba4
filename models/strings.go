package models

import (
	"bytes"
	"encoding/json"
	"reflect"
)

// Strings is a JSON array of strings whose items may not be null: the decoder
// would quietly turn a null item into "", an argument nobody wrote.
type Strings []string

// UnmarshalJSON refuses null items, with the same type error (and so the same
// message) as an item of another wrong type.
func (s *Strings) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*s = nil // as for []string
		return nil
	}
	var items []*string
	if err := json.Unmarshal(data, &items); err != nil {
		return retype(err, reflect.TypeFor[[]string]())
	}
	out := make(Strings, len(items))
	for i, item := range items {
		if item == nil {
			return &json.UnmarshalTypeError{Value: "null", Type: reflect.TypeFor[string]()}
		}
		out[i] = *item
	}
	*s = out
	return nil
}

// StringMap is a JSON object of string values, none of them null.
type StringMap map[string]string

// UnmarshalJSON refuses null values, as Strings refuses null items.
func (m *StringMap) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*m = nil
		return nil
	}
	var values map[string]*string
	if err := json.Unmarshal(data, &values); err != nil {
		return retype(err, reflect.TypeFor[map[string]string]())
	}
	out := make(StringMap, len(values))
	for k, v := range values {
		if v == nil {
			return &json.UnmarshalTypeError{Value: "null", Type: reflect.TypeFor[string]()}
		}
		out[k] = *v
	}
	*m = out
	return nil
}

// retype reports a type error of the pointer form's decoding in terms of the
// plain type: the whole value (Type *string for an item, else the container).
func retype(err error, container reflect.Type) error {
	typeErr, ok := err.(*json.UnmarshalTypeError)
	if !ok {
		return err
	}
	if typeErr.Type.Kind() == reflect.Pointer {
		return &json.UnmarshalTypeError{Value: typeErr.Value, Type: typeErr.Type.Elem(), Offset: typeErr.Offset}
	}
	if typeErr.Type.Kind() == reflect.String {
		return &json.UnmarshalTypeError{Value: typeErr.Value, Type: typeErr.Type, Offset: typeErr.Offset}
	}
	return &json.UnmarshalTypeError{Value: typeErr.Value, Type: container, Offset: typeErr.Offset}
}

// JSONObject is a free-form JSON object (a server's tools, a policy's
// additional_config). Its numbers keep every digit: decoded as float64, an
// integer beyond 2^53 (a JSON Schema "maximum", say) would silently change.
type JSONObject map[string]any

// UnmarshalJSON decodes the object with exact numbers.
func (o *JSONObject) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*o = nil
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		if typeErr, ok := err.(*json.UnmarshalTypeError); ok && typeErr.Field == "" {
			return &json.UnmarshalTypeError{Value: typeErr.Value, Type: reflect.TypeFor[map[string]any](), Offset: typeErr.Offset}
		}
		return err
	}
	*o = m
	return nil
}
