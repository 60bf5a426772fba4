package guardrails

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// injectionDetector finds prompt injection: instruction-override phrasing,
// jailbreak personas, requests for the system prompt, chat-template role
// markers, instructions hidden from the user (tool poisoning), invisible
// Unicode (tag characters, zero-width runs, bidirectional overrides), and
// base64 payloads that decode to any of these.
type injectionDetector struct {
	rules   []injectionRule
	m       *matcher
	ruleOf  []int
	maxBack int
}

func newInjectionDetector() *injectionDetector {
	d := &injectionDetector{rules: injectionRules(), maxBack: 100}
	var anchors []string
	for i, r := range d.rules {
		for _, a := range r.anchors {
			anchors = append(anchors, a)
			d.ruleOf = append(d.ruleOf, i)
		}
	}
	d.m = newMatcher(anchors, true)
	return d
}

func (d *injectionDetector) name() string { return DetectorInjection }

func (d *injectionDetector) anchors() []anchorSpec {
	var out []anchorSpec
	for i, r := range d.rules {
		for _, a := range r.anchors {
			out = append(out, anchorSpec{text: a, id: i})
		}
	}
	return out
}

func (d *injectionDetector) scan(doc *scanDoc, emit func(Finding)) {
	for i, part := range doc.parts {
		d.scanHits(part.Text, doc.hits[i], doc.lex(i), func(kind string, start, end int, shown string) {
			emit(Finding{Detector: DetectorInjection, Kind: kind, Part: i, Start: start, End: end, Masked: shown})
		})
	}
}

// Bounds on decoding base64 payloads, per token and per text.
const (
	maxDecodedToken = 64 << 10
	maxDecodedText  = 256 << 10
	minEncodedLen   = 24
)

// scanText reports injections in s, locating the anchors itself (decoded
// and normalised texts); depth counts the layers undone.
func (d *injectionDetector) scanText(s string, depth int, emit func(kind string, start, end int, shown string)) {
	var anchors []anchorHit
	d.m.scan(s, func(p, start, end int) bool {
		anchors = append(anchors, anchorHit{d.ruleOf[p], start, end})
		return true
	})
	var lx *lexed
	if depth == 0 {
		lx = lexText(s)
	}
	d.scanHits(s, anchors, lx, emit)
}

// scanHits reports injections in s from its anchor hits. lx, the lexing of
// s, is nil for a text already decoded or normalised: such a text is not
// decoded again.
func (d *injectionDetector) scanHits(s string, anchors []anchorHit, lx *lexed, emit func(kind string, start, end int, shown string)) {
	type hit struct {
		kind       string
		start, end int
	}
	var hits []hit
	lower := ""
	if len(anchors) > 0 {
		lower = asciiLower(s) // once: rules read lowered windows
	}
	for _, a := range anchors {
		start, end := a.start, a.end
		r := &d.rules[a.id]
		if !boundaryBefore(s, start) && isWordByte(s[start]) {
			continue
		}
		if r.lineStart && start > 0 && s[start-1] != '\n' {
			continue
		}
		mEnd := end
		if r.re != nil {
			window := lower[start:min(len(s), start+r.window)]
			loc := r.re.FindStringIndex(window)
			if loc == nil {
				continue
			}
			mEnd = start + loc[1]
		} else if !boundaryAfter(s, end) && isWordByte(s[end-1]) {
			continue
		}
		if r.check != nil {
			before := lower[max(0, start-d.maxBack):start]
			rest := lower[start:min(len(s), start+100)]
			if !r.check(before, rest) {
				continue
			}
		}
		hits = append(hits, hit{r.kind, start, mEnd})
	}
	slices.SortFunc(hits, func(a, b hit) int { return a.start - b.start })
	prev := -1
	for _, h := range hits {
		if h.start < prev {
			continue
		}
		emit(h.kind, h.start, h.end, sample(s[h.start:h.end]))
		prev = h.end
	}
	if lx == nil || !lx.ascii {
		scanInvisible(s, emit)
	}
	if lx != nil {
		d.scanEncoded(s, lx.tokens, emit)
		d.scanObfuscated(s, lx, emit)
	}
}

// scanObfuscated rescans s with two evasions undone: zero-width characters
// used as separators ("ignore\u200bprevious…") and letters spaced out
// ("i g n o r e  p r e v i o u s"). Findings cover the whole text, whose
// offsets the normalised copy no longer matches.
func (d *injectionDetector) scanObfuscated(s string, lx *lexed, emit func(kind string, start, end int, shown string)) {
	norm, how := normalizeObfuscation(s, lx)
	if how == "" {
		return
	}
	found := false
	d.scanText(norm, 1, func(kind string, start, end int, shown string) {
		if found || kind == "invisible_unicode" {
			return
		}
		found = true
		if how == "zero-width" {
			kind = "invisible_unicode"
		}
		emit(kind, 0, len(s), how+" separated: "+shown)
	})
}

// normalizeObfuscation returns s with zero-width characters turned into
// spaces, or runs of single spaced letters joined, and which it did ("" when
// s has neither).
func normalizeObfuscation(s string, lx *lexed) (string, string) {
	// Contains on each UTF-8 form is a fast byte search; ContainsAny with
	// non-ASCII runes would decode every rune of s.
	if !lx.ascii && (strings.Contains(s, "\u200b") || strings.Contains(s, "\u200c") || strings.Contains(s, "\u200d") || strings.Contains(s, "\u2060") || strings.Contains(s, "\ufeff")) {
		return strings.NewReplacer("\u200b", " ", "\u200c", " ", "\u200d", " ", "\u2060", " ", "\ufeff", " ").Replace(s), "zero-width"
	}
	if lx.spaced < 8 {
		return "", ""
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] != ' ':
			b.WriteByte(s[i])
		case i+1 < len(s) && s[i+1] == ' ':
			b.WriteByte(' ') // a wider gap separates words
			for i+1 < len(s) && s[i+1] == ' ' {
				i++
			}
		}
	}
	return b.String(), "spaced"
}

// scanEncoded decodes base64 tokens that decode to text and reports the
// injections inside them, at the token's span.
func (d *injectionDetector) scanEncoded(s string, tokens [][2]int, emit func(kind string, start, end int, shown string)) {
	budget := maxDecodedText
	for _, t := range tokens {
		if budget <= 0 {
			return
		}
		start, end := t[0], t[1]
		if end-start < minEncodedLen || end-start > maxDecodedToken {
			continue
		}
		tok := strings.TrimRight(s[start:end], "=")
		tok = tok[:len(tok)/4*4]
		enc := base64.RawStdEncoding
		if strings.ContainsAny(tok, "-_") {
			enc = base64.RawURLEncoding
		}
		// Peek before decoding all: binary data (images) stops here.
		head, err := enc.DecodeString(tok[:min(len(tok), 64)])
		if err != nil || printableRatio(head) < 0.9 {
			continue
		}
		raw, err := enc.DecodeString(tok)
		if err != nil || printableRatio(raw) < 0.9 {
			continue
		}
		budget -= len(raw)
		found := false
		d.scanText(string(raw), 1, func(kind string, _, _ int, shown string) {
			if !found {
				emit("encoded_payload", start, end, "base64 of "+kind+": "+shown)
				found = true
			}
		})
	}
}

// Invisible characters. Tag characters (U+E0000–U+E007F) spell hidden
// ASCII that models read and people do not; bidirectional overrides reorder
// what a reviewer sees (Trojan Source); runs of zero-width characters carry
// hidden bits. Not reported: the tag sequences of subdivision flag emoji,
// the zero-width joiner inside emoji, a byte-order mark.
func scanInvisible(s string, emit func(kind string, start, end int, shown string)) {
	zwRun, zwStart := 0, 0
	flushZW := func(at int) {
		if zwRun >= 3 {
			emit("invisible_unicode", zwStart, at, "zero-width run of "+strconv.Itoa(zwRun))
		}
		zwRun = 0
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0xE1 {
			if zwRun > 0 {
				flushZW(i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= 0xE0000 && r <= 0xE007F:
			j, hidden := i, []byte{}
			for j < len(s) {
				t, n := utf8.DecodeRuneInString(s[j:])
				if t < 0xE0000 || t > 0xE007F {
					break
				}
				if t >= 0xE0020 && t < 0xE007F {
					hidden = append(hidden, byte(t-0xE0000))
				}
				j += n
			}
			flag := i >= 4 && s[i-4:i] == "\U0001F3F4" && j-i <= 8*4 && strings.HasSuffix(s[i:j], "\U000E007F")
			if !flag {
				emit("invisible_unicode", i, j, "tag characters hiding "+sample(string(hidden)))
			}
			i = j
			continue
		case (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069):
			emit("invisible_unicode", i, i+size, "bidirectional control "+sample(string(r)))
		case r == 0x200B || r == 0x200C || r == 0x200D || (r >= 0x2060 && r <= 0x2064) || r == 0xFEFF || r == 0x180E:
			joiner := r == 0x200D && i > 0 && s[i-1] >= 0x80 && i+size < len(s) && s[i+size] >= 0x80
			bom := r == 0xFEFF && i == 0
			if !joiner && !bom {
				if zwRun == 0 {
					zwStart = i
				}
				zwRun++
				i += size
				continue
			}
		}
		if zwRun > 0 {
			flushZW(i)
		}
		i += size
	}
	flushZW(len(s))
}
