package audit

import (
	"unicode/utf16"
	"unicode/utf8"
)

// Strings of canonical JSON: decoded exactly as encoding/json decodes them,
// written with the fewest escapes.

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
