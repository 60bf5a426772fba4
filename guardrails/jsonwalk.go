package guardrails

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The guardrails read every string of a JSON payload (tool arguments, a tool
// result) and rewrite some of them in place (PII placeholders). Decoding
// into map[string]any and encoding back would reorder keys, cost several
// milliseconds per megabyte and allocate a node per value; this walker reads
// the raw bytes once, validates them, and reports each string with its path
// and byte offsets so that an edit touches only that string.

// maxJSONDepth matches encoding/json's nesting limit.
const maxJSONDepth = 10000

var errJSONDepth = errors.New("JSON nested too deeply")

// jsonElem is one step of a path: an object member or an array element.
type jsonElem struct {
	key   string
	index int
	array bool
}

// jsonString is one string token met by walkJSON.
type jsonString struct {
	// path locates the string; for an object key, the last element is that key.
	path []jsonElem
	// key is set for object keys.
	key bool
	// start and end delimit the token in the document, quotes included.
	start, end int
	// raw is the token between its quotes, still escaped.
	raw     []byte
	escaped bool
}

// value decodes the string.
func (s *jsonString) value() string {
	if !s.escaped {
		return string(s.raw)
	}
	return unescapeJSON(s.raw)
}

// walkJSON validates data as one JSON value and calls fn for every string
// in document order. The jsonString and its path are reused between calls.
func walkJSON(data []byte, fn func(*jsonString) error) error {
	w := walker{data: data, fn: fn}
	if err := w.value(0); err != nil {
		return err
	}
	w.skipSpace()
	if w.pos != len(w.data) {
		return w.syntaxError("after top-level value")
	}
	return nil
}

type walker struct {
	data []byte
	pos  int
	path []jsonElem
	fn   func(*jsonString) error
	str  jsonString
}

func (w *walker) syntaxError(where string) error {
	if w.pos >= len(w.data) {
		return fmt.Errorf("invalid JSON: unexpected end %s", where)
	}
	return fmt.Errorf("invalid JSON: unexpected %s at offset %d %s", strconv.QuoteRune(rune(w.data[w.pos])), w.pos, where)
}

func (w *walker) skipSpace() {
	for w.pos < len(w.data) {
		switch w.data[w.pos] {
		case ' ', '\t', '\n', '\r':
			w.pos++
		default:
			return
		}
	}
}

func (w *walker) value(depth int) error {
	if depth > maxJSONDepth {
		return errJSONDepth
	}
	w.skipSpace()
	if w.pos >= len(w.data) {
		return w.syntaxError("looking for a value")
	}
	switch c := w.data[w.pos]; {
	case c == '{':
		return w.object(depth)
	case c == '[':
		return w.array(depth)
	case c == '"':
		return w.stringToken(false)
	case c == 't':
		return w.literal("true")
	case c == 'f':
		return w.literal("false")
	case c == 'n':
		return w.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return w.number()
	}
	return w.syntaxError("looking for a value")
}

func (w *walker) object(depth int) error {
	w.pos++ // {
	w.skipSpace()
	if w.pos < len(w.data) && w.data[w.pos] == '}' {
		w.pos++
		return nil
	}
	for {
		w.skipSpace()
		if w.pos >= len(w.data) || w.data[w.pos] != '"' {
			return w.syntaxError("looking for an object key")
		}
		start := w.pos
		raw, escaped, err := w.scanString()
		if err != nil {
			return err
		}
		key := string(raw)
		if escaped {
			key = unescapeJSON(raw)
		}
		w.path = append(w.path, jsonElem{key: key})
		if err := w.emit(start, raw, escaped, true); err != nil {
			return err
		}
		w.skipSpace()
		if w.pos >= len(w.data) || w.data[w.pos] != ':' {
			return w.syntaxError("after object key")
		}
		w.pos++
		if err := w.value(depth + 1); err != nil {
			return err
		}
		w.path = w.path[:len(w.path)-1]
		w.skipSpace()
		if w.pos >= len(w.data) {
			return w.syntaxError("in object")
		}
		switch w.data[w.pos] {
		case ',':
			w.pos++
		case '}':
			w.pos++
			return nil
		default:
			return w.syntaxError("after object member")
		}
	}
}

func (w *walker) array(depth int) error {
	w.pos++ // [
	w.skipSpace()
	if w.pos < len(w.data) && w.data[w.pos] == ']' {
		w.pos++
		return nil
	}
	for i := 0; ; i++ {
		w.path = append(w.path, jsonElem{index: i, array: true})
		if err := w.value(depth + 1); err != nil {
			return err
		}
		w.path = w.path[:len(w.path)-1]
		w.skipSpace()
		if w.pos >= len(w.data) {
			return w.syntaxError("in array")
		}
		switch w.data[w.pos] {
		case ',':
			w.pos++
		case ']':
			w.pos++
			return nil
		default:
			return w.syntaxError("after array element")
		}
	}
}

func (w *walker) stringToken(key bool) error {
	start := w.pos
	raw, escaped, err := w.scanString()
	if err != nil {
		return err
	}
	return w.emit(start, raw, escaped, key)
}

func (w *walker) emit(start int, raw []byte, escaped, key bool) error {
	w.str = jsonString{path: w.path, key: key, start: start, end: w.pos, raw: raw, escaped: escaped}
	return w.fn(&w.str)
}

// scanString reads a string token at w.pos (on its opening quote).
func (w *walker) scanString() (raw []byte, escaped bool, err error) {
	begin := w.pos + 1
	i := begin
	for i < len(w.data) {
		c := w.data[i]
		switch {
		case c == '"':
			w.pos = i + 1
			return w.data[begin:i], escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(w.data) {
				w.pos = len(w.data)
				return nil, false, w.syntaxError("in string escape")
			}
			switch w.data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(w.data) || !isHex4(w.data[i+2:i+6]) {
					w.pos = i
					return nil, false, w.syntaxError("in \\u escape")
				}
				i += 6
			default:
				w.pos = i + 1
				return nil, false, w.syntaxError("in string escape")
			}
		case c < 0x20:
			w.pos = i
			return nil, false, w.syntaxError("in string (control character)")
		default:
			i++
		}
	}
	w.pos = len(w.data)
	return nil, false, w.syntaxError("in string")
}

func (w *walker) literal(lit string) error {
	if !strings.HasPrefix(string(w.data[w.pos:min(len(w.data), w.pos+len(lit))]), lit) {
		return w.syntaxError("in literal")
	}
	w.pos += len(lit)
	return nil
}

// number checks the JSON number grammar: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?
func (w *walker) number() error {
	d := w.data
	i := w.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case digits() == 0:
		w.pos = i
		return w.syntaxError("in number")
	}
	if i < len(d) && d[i] == '.' {
		i++
		if digits() == 0 {
			w.pos = i
			return w.syntaxError("in number fraction")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if digits() == 0 {
			w.pos = i
			return w.syntaxError("in number exponent")
		}
	}
	w.pos = i
	return nil
}
