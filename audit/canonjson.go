package audit

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
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

// parsers keeps parsers' scratch space between calls: verification
// canonicalizes every record's details.
var parsers = sync.Pool{New: func() any { return new(canonParser) }}

func appendCanonicalJSON(out, data []byte) ([]byte, error) {
	p := parsers.Get().(*canonParser)
	*p = canonParser{in: data, members: p.members[:0], keys: p.keys[:0], scratch: p.scratch[:0]}
	defer func() {
		p.in = nil
		if cap(p.keys)+cap(p.scratch) <= 64<<10 { // a huge value's buffers are not kept
			parsers.Put(p)
		}
	}()
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
