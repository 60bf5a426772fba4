package sealing

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Step is one step into a JSON tree: a member of an object or an element of
// an array.
type Step struct {
	// Name is the member's name ("" for an element).
	Name string
	// Index is the element's index, -1 for a member.
	Index int
	// Object is the object the member belongs to (nil for an element), for
	// rules that look at a member's siblings ({"name": "X-Api-Key",
	// "value": …}). It must not be changed.
	Object map[string]any
}

// Path is where a string lies in a tree, from its root.
type Path []Step

// Segments are the path's member names and indices, as text.
func (p Path) Segments() []string {
	out := make([]string, len(p))
	for i, s := range p {
		if s.Index >= 0 {
			out[i] = strconv.Itoa(s.Index)
		} else {
			out[i] = s.Name
		}
	}
	return out
}

// Pointer is the path as a JSON Pointer (RFC 6901): "" for the root,
// "/OAUTH_CUSTOM_HEADERS/X-Api-Key" for a member. Error messages use it:
// member names are no secrets.
func (p Path) Pointer() string {
	var b strings.Builder
	for _, s := range p.Segments() {
		b.WriteByte('/')
		b.WriteString(pointerEscaper.Replace(s))
	}
	return b.String()
}

// Transform returns a copy of the tree v in which every string that pick
// chooses is replaced by what fn returns for it; v is never changed (stored
// and cached objects are shared). The first error of fn stops the walk and
// is returned with the string's path.
//
// Objects and arrays are walked whatever their Go type (map[string]any,
// []any, map[string]string, named types such as models.JSONObject) and come
// out as map[string]any and []any; strings, of a named type too, come out
// as string. Other values (numbers, booleans, nil, structs, pointers) are
// kept as they are. A nil object or array is kept as it was.
func Transform(v any, pick func(Path, string) bool, fn func(Path, string) (string, error)) (any, error) {
	return transform(v, nil, pick, fn)
}

func transform(v any, path Path, pick func(Path, string) bool, fn func(Path, string) (string, error)) (any, error) {
	if s, ok := asString(v); ok {
		if !pick(path, s) {
			return s, nil
		}
		out, err := fn(path, s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pointerOrRoot(path), err)
		}
		return out, nil
	}
	if obj, ok := asObject(v); ok {
		if obj == nil {
			return v, nil
		}
		out := make(map[string]any, len(obj))
		for k, val := range obj {
			t, err := transform(val, append(path[:len(path):len(path)], Step{Name: k, Index: -1, Object: obj}), pick, fn)
			if err != nil {
				return nil, err
			}
			out[k] = t
		}
		return out, nil
	}
	if arr, ok := asArray(v); ok {
		if arr == nil {
			return v, nil
		}
		out := make([]any, len(arr))
		for i, val := range arr {
			t, err := transform(val, append(path[:len(path):len(path)], Step{Index: i}), pick, fn)
			if err != nil {
				return nil, err
			}
			out[i] = t
		}
		return out, nil
	}
	return v, nil
}

func pointerOrRoot(p Path) string {
	if len(p) == 0 {
		return "value"
	}
	return p.Pointer()
}

// asString reads strings of any string type.
func asString(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return "", false // a number kept in its text: not a string to seal or mask
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.String {
		return rv.String(), true
	}
	return "", false
}

// asObject reads objects of any map type with string keys as map[string]any
// (nil for a nil map).
func asObject(v any) (map[string]any, bool) {
	switch t := v.(type) {
	case map[string]any:
		return t, true
	case map[string]string:
		if t == nil {
			return nil, true
		}
		out := make(map[string]any, len(t))
		for k, s := range t {
			out[k] = s
		}
		return out, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Map || rv.Type().Key().Kind() != reflect.String {
		return nil, false
	}
	if rv.IsNil() {
		return nil, true
	}
	out := make(map[string]any, rv.Len())
	for it := rv.MapRange(); it.Next(); {
		out[it.Key().String()] = it.Value().Interface()
	}
	return out, true
}

// asArray reads arrays of any slice or array type but bytes as []any (nil
// for a nil slice).
func asArray(v any) ([]any, bool) {
	switch t := v.(type) {
	case []any:
		return t, true
	case []string:
		if t == nil {
			return nil, true
		}
		out := make([]any, len(t))
		for i, s := range t {
			out[i] = s
		}
		return out, true
	}
	rv := reflect.ValueOf(v)
	if (rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array) || rv.Type().Elem().Kind() == reflect.Uint8 {
		return nil, false
	}
	if rv.Kind() == reflect.Slice && rv.IsNil() {
		return nil, true
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out, true
}

// SealTree returns a copy of the tree v with every string pick chooses
// sealed for the place aad gives its path (OAuthAAD, SettingAAD). Rules'
// Secret is the pick that seals exactly what a response masks. Strings
// already sealed are sealed again like any other: a client never holds a
// token, and services refuse one in input (IsSealed) rather than guess.
func (s *Sealer) SealTree(v any, pick func(Path, string) bool, aad func(Path) string) (any, error) {
	return Transform(v, pick, func(p Path, plain string) (string, error) { return s.Seal(plain, aad(p)) })
}

// OpenTree returns a copy of the tree v with every token opened for the
// place aad gives its path; other strings are kept. It needs no pick:
// tokens say what they are, and which members count as secrets may change
// between versions while the stored tokens stay.
func (s *Sealer) OpenTree(v any, aad func(Path) string) (any, error) {
	return Transform(v, isSealedAt, func(p Path, token string) (string, error) { return s.Open(token, aad(p)) })
}

// ResealTree returns a copy of the tree v with every token resealed with
// the current key (Reseal), for a rotation.
func (s *Sealer) ResealTree(v any, aad func(Path) string) (any, error) {
	return Transform(v, isSealedAt, func(p Path, token string) (string, error) { return s.Reseal(token, aad(p)) })
}

func isSealedAt(_ Path, s string) bool { return IsSealed(s) }

// SealMap returns a copy of m (a server's env) with every value sealed for
// the place aad gives its name (EnvAAD), the empty ones too: the store then
// holds no env value in clear, which is simple to check. nil stays nil.
func (s *Sealer) SealMap(m map[string]string, aad func(name string) string) (map[string]string, error) {
	return mapValues(m, func(name, v string) (string, error) { return s.Seal(v, aad(name)) })
}

// OpenMap returns a copy of m with every token opened for the place aad
// gives its name; values in clear (not yet sealed) are kept as they are.
func (s *Sealer) OpenMap(m map[string]string, aad func(name string) string) (map[string]string, error) {
	return mapValues(m, func(name, v string) (string, error) {
		if !IsSealed(v) {
			return v, nil
		}
		return s.Open(v, aad(name))
	})
}

// ResealMap returns a copy of m with every token resealed with the current
// key (Reseal), for a rotation; values in clear are kept.
func (s *Sealer) ResealMap(m map[string]string, aad func(name string) string) (map[string]string, error) {
	return mapValues(m, func(name, v string) (string, error) {
		if !IsSealed(v) {
			return v, nil
		}
		return s.Reseal(v, aad(name))
	})
}

func mapValues(m map[string]string, fn func(name, v string) (string, error)) (map[string]string, error) {
	if m == nil {
		return nil, nil
	}
	out := make(map[string]string, len(m))
	for name, v := range m {
		t, err := fn(name, v)
		if err != nil {
			// Variable names are no secrets; the value is not named.
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}
