// Package jsonscan finds the extent of JSON values in text already known to
// be valid (encoded by encoding/json, or checked before), without decoding
// them: a member or an item can then be compared, copied or decoded alone.
package jsonscan

// ValueEnd returns the index just past the JSON value that starts at i: the
// closing quote or bracket of a string, object or array, or, for a literal
// (number, true, false, null), the first byte after it (a comma, colon,
// space or the enclosing value's closing bracket).
func ValueEnd(raw []byte, i int) int {
	depth, inString := 0, false
	for j := i; j < len(raw); j++ {
		c := raw[j]
		switch {
		case inString:
			if c == '\\' {
				j++
			} else if c == '"' {
				inString = false
				if depth == 0 {
					return j + 1
				}
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth == 0 {
				return j // the end of a literal before the enclosing value closes
			}
			if depth--; depth == 0 {
				return j + 1
			}
		case depth == 0 && (c == ',' || c == ':' || c == ' ' || c == '\t' || c == '\r' || c == '\n'):
			return j
		}
	}
	return len(raw)
}
