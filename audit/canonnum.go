package audit

import "strconv"

// number reads a JSON number at p.pos and writes its canonical form.
func (p *canonParser) number(out []byte) ([]byte, error) {
	start := p.pos
	i := p.pos
	if p.in[i] == '-' {
		i++
	}
	intStart := i
	switch {
	case i < len(p.in) && p.in[i] == '0':
		i++
	case i < len(p.in) && p.in[i] >= '1' && p.in[i] <= '9':
		for i < len(p.in) && isDigit(p.in[i]) {
			i++
		}
	default:
		p.pos = i
		return nil, p.fail("bad number")
	}
	intEnd := i
	fracStart, fracEnd := i, i
	if i < len(p.in) && p.in[i] == '.' {
		i++
		fracStart = i
		for i < len(p.in) && isDigit(p.in[i]) {
			i++
		}
		fracEnd = i
		if fracEnd == fracStart {
			p.pos = i
			return nil, p.fail("bad number")
		}
	}
	var exp int64
	if i < len(p.in) && (p.in[i] == 'e' || p.in[i] == 'E') {
		i++
		neg := false
		if i < len(p.in) && (p.in[i] == '+' || p.in[i] == '-') {
			neg = p.in[i] == '-'
			i++
		}
		expStart := i
		for i < len(p.in) && isDigit(p.in[i]) {
			exp = exp*10 + int64(p.in[i]-'0')
			if exp > maxExponent {
				// No backend stores such a number (PostgreSQL's numeric
				// stops near 10^131072); refusing it keeps the arithmetic
				// below exact and every value's form distinct.
				p.pos = i
				return nil, p.fail("number exponent out of range")
			}
			i++
		}
		if i == expStart {
			p.pos = i
			return nil, p.fail("bad number")
		}
		if neg {
			exp = -exp
		}
	}
	p.pos = i
	return appendNumber(out, p.in[start] == '-', p.in[intStart:intEnd], p.in[fracStart:fracEnd], exp), nil
}

// maxExponent bounds the written exponent of a number.
const maxExponent = 1_000_000_000

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// appendNumber writes the number sign·intDigits.fracDigits·10^exp in its
// canonical form, which depends only on its value: 1, 1.0, 10e-1 and 0.1e1
// all write 1; -0 writes 0.
//
// With the significant digits d (no leading or trailing zero) and the
// value 0.d·10^e: integers of at most 21 digits are written plainly
// (100), as are fractions down to 10^-6 (0.000001, 12.5); anything else
// in exponent form with one digit before the point (1e+21, 1.5e-7). The
// thresholds are JavaScript's, so that the common cases read the same as
// in JSON written by a browser or jq.
func appendNumber(out []byte, neg bool, intDigits, fracDigits []byte, exp int64) []byte {
	// digits = intDigits‖fracDigits, the point after len(intDigits).
	point := int64(len(intDigits)) + exp
	digits := make([]byte, 0, len(intDigits)+len(fracDigits))
	digits = append(append(digits, intDigits...), fracDigits...)
	lead := 0
	for lead < len(digits) && digits[lead] == '0' {
		lead++
	}
	digits = digits[lead:]
	point -= int64(lead)
	for len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
	}
	if len(digits) == 0 {
		return append(out, '0')
	}
	if neg {
		out = append(out, '-')
	}
	n := int64(len(digits))
	switch {
	case point >= n && point <= 21: // integer
		out = append(out, digits...)
		for range point - n {
			out = append(out, '0')
		}
	case point > 0 && point < n && point <= 21: // digits on both sides of the point
		out = append(out, digits[:point]...)
		out = append(out, '.')
		out = append(out, digits[point:]...)
	case point <= 0 && point > -6: // 0.000ddd
		out = append(out, '0', '.')
		for range -point {
			out = append(out, '0')
		}
		out = append(out, digits...)
	default:
		out = append(out, digits[0])
		if n > 1 {
			out = append(out, '.')
			out = append(out, digits[1:]...)
		}
		e := point - 1
		out = append(out, 'e')
		if e >= 0 {
			out = append(out, '+')
		}
		out = strconv.AppendInt(out, e, 10)
	}
	return out
}
