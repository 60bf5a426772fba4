package guardrails

import "strings"

// Numbers are read in one pass: a run of digit groups joined by short
// separators (space, '-', '.', parentheses), optionally led by '+' or '(',
// is split into groups, and the longest leading groups that form a valid
// identifier are reported; then the scan goes on after them. Dotted runs are
// judged whole, so that a version such as 10.0.19041.1 never yields an IPv4
// address from its first four groups.

const maxNumGroups = 12

type numGroup struct{ start, end int }

// scanNumbers reports cards, phones, SSNs, SINs and IPv4 addresses and,
// with letters, the identifiers that start with two letters (IBANs, UK NI
// numbers): one pass for both.
func scanNumbers(s string, letters bool, emit func(kind string, start, end int)) {
	var groups [maxNumGroups]numGroup
	i := 0
	for i < len(s) {
		c := s[i]
		lead := 0
		switch {
		case isDigit(c):
		case (c == '+' || c == '(') && i+1 < len(s) && isDigit(s[i+1]):
			lead = 1
		case letters && (isUpper(c) || isLower(c)):
			if end, kind := letterID(s, i); kind != "" {
				emit(kind, i, end)
				i = end
				continue
			}
			// Skip the rest of the word: IDs start at a word boundary.
			for i < len(s) && isWordByte(s[i]) {
				i++
			}
			continue
		default:
			i++
			continue
		}
		if i > 0 && (isWordByte(s[i-1]) || s[i-1] == '.' || s[i-1] == ',' || (lead == 1 && isDigit(s[i-1]))) {
			// Glued to a word, a decimal or a list: skip the whole digit run.
			j := i + lead
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = max(j, i+1)
			continue
		}
		n, j := 0, i+lead
		for n < maxNumGroups {
			gs := j
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			groups[n] = numGroup{gs, j}
			n++
			k := j
			for k < len(s) && k-j < 3 && strings.IndexByte(" -.()", s[k]) >= 0 {
				k++
			}
			if k == j || k >= len(s) || !isDigit(s[k]) || !numSepValid(s[j:k]) {
				break
			}
			j = k
		}
		// A last group glued to a word ("2671x", "1111abc") is not ours.
		if end := groups[n-1].end; end < len(s) && isWordByte(s[end]) {
			n--
		}
		if n == 0 {
			i = groups[0].end + 1
			continue
		}
		i = classifyNumbers(s, lead == 1 && s[i] == '+', lead == 1 && s[i] == '(', groups[:n], emit)
	}
}

// numSepValid accepts the separators written inside numbers: " ", "-", ".",
// ") ", " (", ")-" and the like; never two of the same.
func numSepValid(sep string) bool {
	var seen [256]bool
	for i := 0; i < len(sep); i++ {
		if seen[sep[i]] {
			return false
		}
		seen[sep[i]] = true
	}
	return !(seen['.'] && len(sep) > 1)
}

// classifyNumbers reports the longest valid leading groups and returns where
// the scan resumes.
func classifyNumbers(s string, plus, paren bool, g []numGroup, emit func(kind string, start, end int)) int {
	dotted := false
	for i := 1; i < len(g); i++ {
		if strings.IndexByte(s[g[i-1].end:g[i].start], '.') >= 0 {
			dotted = true
		}
	}
	if dotted {
		last := g[len(g)-1].end
		switch {
		case !plus && !paren && len(g) == 4 && ipv4Valid(s, g):
			emit(piiIP, g[0].start, last)
		case !plus && len(g) == 3 && groupLens(g, 3, 3, 4) && sameSeps(s, g, ".") && nanpValid(digitsOf(s, g)):
			emit(piiPhone, g[0].start-boolInt(paren), last)
		case plus && phoneE164Valid(digitsOf(s, g)):
			emit(piiPhone, g[0].start-1, last)
		}
		return last
	}
	// Leading groups first, longest first; then from later groups, where a
	// phone may not start (a phone begins a run: later groups of "DE89 3704
	// 0044 0532 …" are an IBAN's, not a number dialled with 00).
	for a := range g {
		for k := len(g); k > a; k-- {
			if kind, start := numberKind(s, plus && a == 0, paren && a == 0, a > 0, g[a:k]); kind != "" {
				emit(kind, start, g[k-1].end)
				return g[k-1].end
			}
		}
	}
	return g[len(g)-1].end
}

// numberKind tells what the groups g form, if anything, and where it starts.
func numberKind(s string, plus, paren, midRun bool, g []numGroup) (string, int) {
	digits := digitsOf(s, g)
	k := len(g)
	if plus {
		// "+44 (0)20 …": the bracketed trunk zero is not dialled from abroad.
		for i := 1; i < k; i++ {
			if s[g[i].start:g[i].end] == "0" && s[g[i].start-1] == '(' {
				digits = digitsOf(s, g[:i]) + digitsOf(s, g[i+1:])
				break
			}
		}
		if k >= 2 && phoneE164Valid(digits) {
			return piiPhone, g[0].start - 1
		}
		return "", 0
	}
	start := g[0].start - boolInt(paren)
	if k == 1 && !paren {
		// A run of digits without separators is an id more often than not;
		// a phone or SSN written that way is taken with a context word.
		switch {
		case len(digits) == 9 && ssnValid(digits[:3], digits[3:5], digits[5:]) && contextBefore(s, start, "ssn", "social security"):
			return piiSSN, start
		case (len(digits) == 10 && nanpValid(digits) || len(digits) == 11 && digits[0] == '1' && nanpValid(digits[1:])) && contextBefore(s, start, "call", "phone", "tel", "mobile", "cell", "sms", "whatsapp", "fax", "text me"):
			return piiPhone, start
		}
	}
	switch {
	case midRun:
		if !paren && len(digits) >= 13 && len(digits) <= 19 && cardLayout(s, g) && cardIssuerValid(digits) && luhnValid(digits) {
			return piiCard, start
		}
		return "", 0
	case strings.HasPrefix(digits, "00") && k >= 2 && g[0].end-g[0].start >= 2 && phoneE164Valid(digits[2:]):
		return piiPhone, start
	case !paren && k == 3 && groupLens(g, 3, 2, 4) && dashOrSpace(s, g) && ssnValid(digits[:3], digits[3:5], digits[5:]):
		return piiSSN, start
	case !paren && k == 3 && groupLens(g, 3, 3, 3) && dashOrSpace(s, g) && sinValid(digits):
		return piiSIN, start
	case !paren && len(digits) >= 13 && len(digits) <= 19 && cardLayout(s, g) && cardIssuerValid(digits) && luhnValid(digits):
		return piiCard, start
	case nanpLayout(s, g, paren) && nanpValid(digits[len(digits)-10:]):
		return piiPhone, start
	case !paren && trunkLayout(s, g, digits):
		return piiPhone, start
	}
	return "", 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func digitsOf(s string, g []numGroup) string {
	if len(g) == 1 {
		return s[g[0].start:g[0].end]
	}
	var b strings.Builder
	for _, x := range g {
		b.WriteString(s[x.start:x.end])
	}
	return b.String()
}

func groupLens(g []numGroup, lens ...int) bool {
	if len(g) != len(lens) {
		return false
	}
	for i, x := range g {
		if x.end-x.start != lens[i] {
			return false
		}
	}
	return true
}

// sameSeps reports whether every separator between groups equals sep.
func sameSeps(s string, g []numGroup, sep string) bool {
	for i := 1; i < len(g); i++ {
		if s[g[i-1].end:g[i].start] != sep {
			return false
		}
	}
	return true
}

func dashOrSpace(s string, g []numGroup) bool { return sameSeps(s, g, "-") || sameSeps(s, g, " ") }

// cardLayout accepts how card numbers are written: one run of digits, or
// groups of four (the last shorter), or American Express 4-6-5 and Diners
// 4-6-4, with one kind of separator.
func cardLayout(s string, g []numGroup) bool {
	if len(g) == 1 {
		return true
	}
	if !dashOrSpace(s, g) {
		return false
	}
	if groupLens(g, 4, 6, 5) || groupLens(g, 4, 6, 4) {
		return true
	}
	for i, x := range g {
		n := x.end - x.start
		if n != 4 && !(i == len(g)-1 && n >= 1 && n < 4) {
			return false
		}
	}
	return len(g) >= 4
}

// nanpLayout accepts (415) 555-2671, 415-555-2671, 415.555.2671 (judged
// with the dotted runs), 415 555 2671, and the same led by 1.
func nanpLayout(s string, g []numGroup, paren bool) bool {
	switch {
	case groupLens(g, 3, 3, 4):
		if paren {
			return strings.HasPrefix(s[g[0].end:g[1].start], ")")
		}
		return dashOrSpace(s, g)
	case groupLens(g, 1, 3, 3, 4):
		return !paren && s[g[0].start] == '1' && (dashOrSpace(s, g) || (s[g[0].end:g[1].start] == " (" && strings.HasPrefix(s[g[1].end:g[2].start], ")")))
	}
	return false
}

// trunkLayout accepts national numbers dialled with a trunk 0 (UK 020 7946
// 0958, Germany 030 1234567, France 01 42 68 53 00): two or more groups of
// two or more digits, 10 or 11 digits in all.
func trunkLayout(s string, g []numGroup, digits string) bool {
	if len(g) < 2 || digits[0] != '0' || digits[1] == '0' || len(digits) < 10 || len(digits) > 11 {
		return false
	}
	if n := g[0].end - g[0].start; n < 2 || n > 5 {
		return false
	}
	for i, x := range g {
		if x.end-x.start < 2 {
			return false
		}
		if i > 0 {
			if sep := s[g[i-1].end:x.start]; sep != " " && sep != "-" {
				return false
			}
		}
	}
	return true
}

// ipv4Valid checks four dotted groups: each 0–255 without leading zeros.
// Unspecified (0.x), loopback (127.x), broadcast and netmasks (255.x) are
// not personal and are left out.
func ipv4Valid(s string, g []numGroup) bool {
	if !sameSeps(s, g, ".") {
		return false
	}
	for _, x := range g {
		n := x.end - x.start
		if n > 3 || (n > 1 && s[x.start] == '0') || atoiPrefix(s[x.start:x.end], n) > 255 {
			return false
		}
	}
	first := atoiPrefix(s[g[0].start:g[0].end], g[0].end-g[0].start)
	return first != 0 && first != 127 && first != 255
}

// contextBefore reports whether one of words (lower case) occurs in the 32
// bytes before i.
func contextBefore(s string, i int, words ...string) bool {
	before := asciiLower(s[max(0, i-32):i])
	for _, w := range words {
		if strings.Contains(before, w) {
			return true
		}
	}
	return false
}
