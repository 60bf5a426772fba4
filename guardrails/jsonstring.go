package guardrails

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// String tokens of the JSON walker: decoding escapes, and writing edited
// strings back.

func isHex4(b []byte) bool {
	for _, c := range b {
		if !isHexDigit(c) {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// unescapeJSON decodes the escapes of a string token validated by scanString.
// Lone surrogates become U+FFFD, as encoding/json does.
func unescapeJSON(raw []byte) string {
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		j := bytes.IndexByte(raw[i:], '\\')
		if j < 0 {
			b.Write(raw[i:])
			break
		}
		b.Write(raw[i : i+j])
		i += j
		if i+1 >= len(raw) {
			b.WriteByte('\\')
			break
		}
		switch raw[i+1] {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			if i+6 > len(raw) {
				b.WriteRune(utf8.RuneError)
				return b.String()
			}
			r := hex4(raw[i+2 : i+6])
			i += 6
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					r2 = hex4(raw[i+2 : i+6])
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					b.WriteRune(dec)
					i += 6
					continue
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
			continue
		default: // '"', '\\', '/'
			b.WriteByte(raw[i+1])
		}
		i += 2
	}
	return b.String()
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

// jsonEdit replaces the string token at [start, end) by value.
type jsonEdit struct {
	start, end int
	value      string
}

// applyJSONEdits returns data with the edits (sorted, non-overlapping) applied.
func applyJSONEdits(data []byte, edits []jsonEdit) []byte {
	out := make([]byte, 0, len(data)+len(data)/8)
	prev := 0
	for _, e := range edits {
		out = append(out, data[prev:e.start]...)
		out = appendJSONString(out, e.value)
		prev = e.end
	}
	return append(out, data[prev:]...)
}

// appendJSONString appends s as a JSON string token. Unlike encoding/json it
// does not escape <, > and &: a rewritten argument should differ from the
// original only where PII was replaced.
func appendJSONString(out []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	out = append(out, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			out = append(out, '\\', c)
		case c == '\n':
			out = append(out, '\\', 'n')
		case c == '\r':
			out = append(out, '\\', 'r')
		case c == '\t':
			out = append(out, '\\', 't')
		case c < 0x20:
			out = append(out, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			out = append(out, c)
		}
	}
	return append(out, '"')
}

// pathString renders a path as a JSON Pointer without its leading slash
// ("content/0/text"), prefixed when prefix is not empty.
func pathString(prefix string, path []jsonElem) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, e := range path {
		if b.Len() > 0 {
			b.WriteByte('/')
		}
		if e.array {
			b.WriteString(strconv.Itoa(e.index))
			continue
		}
		if strings.ContainsAny(e.key, "~/") {
			b.WriteString(strings.ReplaceAll(strings.ReplaceAll(e.key, "~", "~0"), "/", "~1"))
			continue
		}
		b.WriteString(e.key)
	}
	return b.String()
}
