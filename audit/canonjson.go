package audit

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// Canonical JSON is what record details are hashed as, so that the same
// details hash alike whichever backend stored them: PostgreSQL's jsonb
// reorders members, drops whitespace and rewrites numbers (1.0E2 → 100),
// a text column keeps the bytes as written.
//
// The form: no whitespace; object members sorted by the bytes of their
// decoded UTF-8 names, a duplicated name keeping its last value (as both
// encoding/json and jsonb do); strings with only '"', '\\' and control
// characters escaped (\b \f \n \r \t, else \u00xx), invalid UTF-8 and lone
// surrogates replaced by U+FFFD (as encoding/json decodes them); numbers as
// the shortest decimal of their exact value (see appendNumber), no digit ever
// lost to a float conversion.
//
// The parser is hand-written because verification canonicalizes every
// record's details: decoding into map[string]any and encoding back costs
// several times more. A fuzz test holds it equal to encoding/json.

// maxDepth is the nesting encoding/json accepts.
const maxDepth = 10000

var errSyntax = errors.New("invalid JSON")

// CanonicalJSON returns the canonical form of a JSON text.
func CanonicalJSON(data []byte) ([]byte, error) {
	return appendCanonicalJSON(make([]byte, 0, len(data)), data)
}

func appendCanonicalJSON(out, data []byte) ([]byte, error) {
	p := canonParser{in: data}
	p.skipSpace()
	out, err := p.value(out, 0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.in) {
		return nil, p.fail("data after the value")
	}
	return out, nil
}

// canonicalDetails is the stored form of record details: none for an empty
// value or null, else canonical JSON.
func canonicalDetails(d []byte) ([]byte, error) {
	if len(d) == 0 {
		return nil, nil
	}
	c, err := CanonicalJSON(d)
	if err != nil || string(c) == "null" {
		return nil, err
	}
	return c, nil
}

type canonParser struct {
	in  []byte
	pos int
	// members is a stack of the members of the objects being parsed; each
	// object uses the entries from its own base on.
	members []member
	// keys holds decoded member names, referred to by members.
	keys []byte
	// scratch holds a decoded string before it is escaped.
	scratch []byte
}

// member is one object member: its decoded name in keys, and the bytes it
// was written as in the output (name, colon and value).
type member struct {
	keyStart, keyEnd int
	outStart, outEnd int
}

func (p *canonParser) fail(what string) error {
	return fmt.Errorf("%w at byte %d: %s", errSyntax, p.pos, what)
}

func (p *canonParser) skipSpace() {
	for p.pos < len(p.in) {
		switch p.in[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *canonParser) value(out []byte, depth int) ([]byte, error) {
	if p.pos >= len(p.in) {
		return nil, p.fail("unexpected end")
	}
	switch c := p.in[p.pos]; {
	case c == '{':
		return p.object(out, depth+1)
	case c == '[':
		return p.array(out, depth+1)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return appendCanonicalString(out, s), nil
	case c == '-' || c >= '0' && c <= '9':
		return p.number(out)
	default:
		for _, lit := range [...]string{"true", "false", "null"} {
			if bytes.HasPrefix(p.in[p.pos:], []byte(lit)) {
				p.pos += len(lit)
				return append(out, lit...), nil
			}
		}
		return nil, p.fail("unexpected character")
	}
}

func (p *canonParser) object(out []byte, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, p.fail("nested too deeply")
	}
	p.pos++ // {
	start := len(out)
	out = append(out, '{')
	base := len(p.members)
	keyBase := len(p.keys)
	defer func() { p.members, p.keys = p.members[:base], p.keys[:keyBase] }()
	p.skipSpace()
	if p.pos < len(p.in) && p.in[p.pos] == '}' {
		p.pos++
		return append(out, '}'), nil
	}
	for {
		if p.pos >= len(p.in) || p.in[p.pos] != '"' {
			return nil, p.fail("expected a member name")
		}
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		if len(p.members) > base {
			out = append(out, ',')
		}
		m := member{keyStart: len(p.keys), outStart: len(out)}
		p.keys = append(p.keys, s...)
		m.keyEnd = len(p.keys)
		out = appendCanonicalString(out, s)
		p.skipSpace()
		if p.pos >= len(p.in) || p.in[p.pos] != ':' {
			return nil, p.fail("expected ':'")
		}
		p.pos++
		out = append(out, ':')
		p.skipSpace()
		if out, err = p.value(out, depth); err != nil {
			return nil, err
		}
		m.outEnd = len(out)
		p.members = append(p.members, m)
		p.skipSpace()
		if p.pos >= len(p.in) {
			return nil, p.fail("unexpected end in object")
		}
		if p.in[p.pos] == '}' {
			p.pos++
			break
		}
		if p.in[p.pos] != ',' {
			return nil, p.fail("expected ',' or '}'")
		}
		p.pos++
		p.skipSpace()
	}
	out = append(out, '}')
	return p.sortMembers(out, start, p.members[base:]), nil
}

// sortMembers rewrites the object written at out[start:] with its members
// in canonical order, a duplicated name keeping its last value. Objects
// already canonical (those this package wrote) are left as they are.
func (p *canonParser) sortMembers(out []byte, start int, ms []member) []byte {
	key := func(m member) []byte { return p.keys[m.keyStart:m.keyEnd] }
	sorted := true
	for i := 1; i < len(ms); i++ {
		if bytes.Compare(key(ms[i-1]), key(ms[i])) >= 0 {
			sorted = false
			break
		}
	}
	if sorted {
		return out
	}
	order := slices.Clone(ms)
	// Stable: of members with one name, the last written sorts last.
	slices.SortStableFunc(order, func(a, b member) int { return bytes.Compare(key(a), key(b)) })
	written := slices.Clone(out[start:])
	out = append(out[:start], '{')
	first := true
	for i, m := range order {
		if i+1 < len(order) && bytes.Equal(key(m), key(order[i+1])) {
			continue // a later member of the same name replaces this one
		}
		if !first {
			out = append(out, ',')
		}
		first = false
		out = append(out, written[m.outStart-start:m.outEnd-start]...)
	}
	return append(out, '}')
}

func (p *canonParser) array(out []byte, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, p.fail("nested too deeply")
	}
	p.pos++ // [
	out = append(out, '[')
	p.skipSpace()
	if p.pos < len(p.in) && p.in[p.pos] == ']' {
		p.pos++
		return append(out, ']'), nil
	}
	for n := 0; ; n++ {
		if n > 0 {
			out = append(out, ',')
		}
		var err error
		if out, err = p.value(out, depth); err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.in) {
			return nil, p.fail("unexpected end in array")
		}
		if p.in[p.pos] == ']' {
			p.pos++
			return append(out, ']'), nil
		}
		if p.in[p.pos] != ',' {
			return nil, p.fail("expected ',' or ']'")
		}
		p.pos++
		p.skipSpace()
	}
}

// str decodes the string at p.pos as encoding/json does. The result is
// valid only until the next call.
func (p *canonParser) str() ([]byte, error) {
	p.pos++ // opening quote
	start := p.pos
	// Fast path: printable ASCII without escapes is its own decoding.
	for p.pos < len(p.in) {
		c := p.in[p.pos]
		if c == '"' {
			p.pos++
			return p.in[start : p.pos-1], nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		p.pos++
	}
	buf := append(p.scratch[:0], p.in[start:p.pos]...)
	for {
		if p.pos >= len(p.in) {
			return nil, p.fail("unterminated string")
		}
		c := p.in[p.pos]
		switch {
		case c == '"':
			p.pos++
			p.scratch = buf
			return buf, nil
		case c < 0x20:
			return nil, p.fail("control character in string")
		case c == '\\':
			var err error
			if buf, err = p.escape(buf); err != nil {
				return nil, err
			}
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.in[p.pos:])
			if r == utf8.RuneError && size == 1 {
				buf = utf8.AppendRune(buf, utf8.RuneError)
			} else {
				buf = append(buf, p.in[p.pos:p.pos+size]...)
			}
			p.pos += size
		}
	}
}

// escape decodes the escape sequence at p.pos.
func (p *canonParser) escape(buf []byte) ([]byte, error) {
	if p.pos+1 >= len(p.in) {
		return nil, p.fail("unterminated escape")
	}
	c := p.in[p.pos+1]
	p.pos += 2
	switch c {
	case '"', '\\', '/':
		return append(buf, c), nil
	case 'b':
		return append(buf, '\b'), nil
	case 'f':
		return append(buf, '\f'), nil
	case 'n':
		return append(buf, '\n'), nil
	case 'r':
		return append(buf, '\r'), nil
	case 't':
		return append(buf, '\t'), nil
	case 'u':
		r, ok := hex4(p.in[p.pos:])
		if !ok {
			return nil, p.fail("bad \\u escape")
		}
		p.pos += 4
		if utf16.IsSurrogate(r) {
			// A high surrogate followed by an escaped low one is one
			// character; anything else is a lone surrogate, U+FFFD.
			if len(p.in) >= p.pos+6 && p.in[p.pos] == '\\' && p.in[p.pos+1] == 'u' {
				if r2, ok := hex4(p.in[p.pos+2:]); ok {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						p.pos += 6
						return utf8.AppendRune(buf, dec), nil
					}
				}
			}
			r = utf8.RuneError
		}
		return utf8.AppendRune(buf, r), nil
	}
	return nil, p.fail("bad escape")
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// appendCanonicalString writes s (valid UTF-8) quoted with the fewest
// escapes: only what JSON requires.
func appendCanonicalString(out, s []byte) []byte {
	const hexDigits = "0123456789abcdef"
	out = append(out, '"')
	last := 0
	for i, c := range s {
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		out = append(out, s[last:i]...)
		last = i + 1
		switch c {
		case '"', '\\':
			out = append(out, '\\', c)
		case '\b':
			out = append(out, '\\', 'b')
		case '\f':
			out = append(out, '\\', 'f')
		case '\n':
			out = append(out, '\\', 'n')
		case '\r':
			out = append(out, '\\', 'r')
		case '\t':
			out = append(out, '\\', 't')
		default:
			out = append(out, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
	}
	out = append(out, s[last:]...)
	return append(out, '"')
}
