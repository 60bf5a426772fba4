package guardrails

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// isWordByte reports ASCII letters, digits and underscore: what a word
// boundary separates.
func isWordByte(c byte) bool {
	return c == '_' || (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isAlnum(c byte) bool { return isDigit(c) || isUpper(c) || isLower(c) }

// boundaryBefore reports whether s[i] starts a word (no word byte before it).
func boundaryBefore(s string, i int) bool { return i <= 0 || i > len(s) || !isWordByte(s[i-1]) }

// boundaryAfter reports whether s[:j] ends a word (no word byte at j).
func boundaryAfter(s string, j int) bool { return j >= len(s) || j < 0 || !isWordByte(s[j]) }

// asciiLower lowers ASCII letters only, so that byte offsets in the result
// are offsets in s.
func asciiLower(s string) string {
	i := 0
	for i < len(s) && !isUpper(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if isUpper(b[i]) {
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
}

// shannonEntropy is the entropy in bits per byte of s's byte distribution.
func shannonEntropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// sample renders matched text that is not secret (a phrase, a keyword) for a
// verdict: bounded, and with invisible and control characters escaped so a
// log line shows them instead of hiding them.
func sample(s string) string {
	q := strconv.QuoteToGraphic(truncate(s, 60))
	return q[1 : len(q)-1]
}

// maskSecret shows a secret's first characters (its type prefix, at most 4)
// and its length, never the rest.
func maskSecret(s string) string {
	keep := 4
	if len(s) < 12 {
		keep = 1
	}
	if len(s) < 4 {
		keep = 0
	}
	return s[:keep] + "…(" + strconv.Itoa(len(s)) + " chars)"
}

// maskKeepLast masks every letter and digit of s except the last keep ones,
// keeping separators: "4111 1111 1111 1111" → "**** **** **** 1111".
func maskKeepLast(s string, keep int) string {
	b := []byte(s)
	for i := len(b) - 1; i >= 0; i-- {
		if !isAlnum(b[i]) {
			continue
		}
		if keep > 0 {
			keep--
			continue
		}
		b[i] = '*'
	}
	return string(b)
}

// maskEmail keeps the first character of the local part and the domain.
func maskEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		return maskSecret(s)
	}
	return s[:1] + "***" + s[at:]
}
