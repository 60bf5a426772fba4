package guardrails

import (
	"encoding/base64"
	"math"
	"slices"
	"strings"
)

// Entropy rule bounds. Random keys without a known prefix are found as
// tokens of 20 to 128 base64/base62 characters mixing upper case, lower case
// and digits whose Shannon entropy reaches a threshold that grows with
// length (see entropyThreshold). Left out, as measured on the
// benign corpus: hex strings (git SHAs, digests, UUIDs: hex keys are caught
// only in an assignment), Subresource Integrity hashes (sha512-…) and Go
// checksum-database hashes (h1:…), DER bodies of PEM blocks (MII…: public
// certificates; private keys are caught by their header), paths made of
// words (Projects/Gateway/2024), this
// product's keys with a wrong checksum (made up, not leaked), identifiers
// made of words (wordsLike), placeholders (…EXAMPLEKEY), base64 of
// text or of known file formats (images in data URIs), and dotted names.
//
// Tokens shorter than 32 characters need a context word before them (key,
// token, secret…): random strings that short are mostly public ids (Stripe
// pi_…, Firebase uids, KSUIDs), while API keys are mostly 32 or longer.
const (
	entropyMinLen     = 20
	entropyContextLen = 32
	entropyMaxLen     = 128
)

// entropyThreshold is the bits per character a token of n characters
// needs: about the 2nd percentile of the Shannon entropy of uniformly random
// base62 tokens of that length (measured: 3.68 at 20 characters, 4.24 at 32,
// 4.67 at 48, 4.93 at 64), so that 98% of random keys pass while words and
// identifiers (TestHandlerReturnsErrorWhenConfigIsMissing: 4.12 against
// 4.53) stay below.
func entropyThreshold(n int) float64 {
	return min(0.84*math.Log2(float64(n)), 5.3)
}

// secretsDetector finds credentials: known formats by prefix and validation,
// assignments to secret-looking names, and high-entropy tokens.
type secretsDetector struct {
	rules   []secretRule
	exact   *matcher // case-sensitive anchors
	folded  *matcher // case-insensitive anchors
	ruleOf  [2][]int // anchor index → rule index, per matcher
	entropy bool
}

func newSecretsDetector(entropy bool) *secretsDetector {
	d := &secretsDetector{rules: secretRules(), entropy: entropy}
	var exact, folded []string
	for i, r := range d.rules {
		for _, a := range r.anchors {
			if r.fold {
				folded = append(folded, a)
				d.ruleOf[1] = append(d.ruleOf[1], i)
			} else {
				exact = append(exact, a)
				d.ruleOf[0] = append(d.ruleOf[0], i)
			}
		}
	}
	d.exact = newMatcher(exact, false)
	d.folded = newMatcher(folded, true)
	return d
}

func (d *secretsDetector) name() string { return DetectorSecrets }

func (d *secretsDetector) anchors() []anchorSpec {
	var out []anchorSpec
	for i, r := range d.rules {
		for _, a := range r.anchors {
			out = append(out, anchorSpec{text: a, exact: !r.fold, id: i})
		}
	}
	return out
}

func (d *secretsDetector) scan(doc *scanDoc, emit func(Finding)) {
	for i, part := range doc.parts {
		d.scanHits(part.Text, doc.hits[i], doc.lex(i).tokens, func(kind string, start, end int) {
			emit(Finding{Detector: DetectorSecrets, Kind: kind, Part: i, Start: start, End: end, Masked: maskSecret(part.Text[start:end])})
		})
	}
}

type secretHit struct {
	kind       string
	start, end int
	generic    bool
}

// scanText reports the secrets of s, locating the anchors itself (for the
// pii detector's secrets entity and for redaction).
func (d *secretsDetector) scanText(s string, emit func(kind string, start, end int)) {
	var anchors []anchorHit
	d.exact.scan(s, func(p, start, end int) bool {
		anchors = append(anchors, anchorHit{d.ruleOf[0][p], start, end})
		return true
	})
	d.folded.scan(s, func(p, start, end int) bool {
		anchors = append(anchors, anchorHit{d.ruleOf[1][p], start, end})
		return true
	})
	d.scanHits(s, anchors, lexText(s).tokens, emit)
}

// scanHits reports the secrets of s from its anchor hits, one per span:
// where rules overlap, a specific format wins over a generic rule, then the
// earlier, longer match.
func (d *secretsDetector) scanHits(s string, anchors []anchorHit, tokens [][2]int, emit func(kind string, start, end int)) {
	var hits []secretHit
	try := func(rule int, anchorStart int) bool {
		r := &d.rules[rule]
		start := anchorStart - r.back
		if start < 0 || (r.back == 0 && !r.fold && !r.inWord && !secretStartBoundary(s, start)) {
			return true
		}
		m := r.re.FindStringSubmatchIndex(s[start:min(len(s), start+r.window)])
		if m == nil {
			return true
		}
		ms, me := start+m[0], start+m[1]
		if r.group > 0 {
			if m[2*r.group] < 0 {
				return true
			}
			ms, me = start+m[2*r.group], start+m[2*r.group+1]
		}
		if me < len(s) && isSecretByte(s[me]) && r.kind != "private_key" && r.kind != "url_credentials" {
			return true // the match stops inside a longer token
		}
		if r.check != nil && !r.check(s, ms, me) {
			return true
		}
		hits = append(hits, secretHit{kind: r.kind, start: ms, end: me, generic: r.generic})
		return true
	}
	for _, a := range anchors {
		try(a.id, a.start)
	}
	for _, t := range tokens {
		start, end := t[0], t[1]
		for start < end && (s[start] == '/' || s[start] == '-' || s[start] == '+') {
			start++
		}
		if end-start < entropyMinLen || end-start > entropyMaxLen+2 {
			continue
		}
		tok := s[start:end]
		if tok[0] >= 'M' && tok[0] <= 'O' && end < len(s) && s[end] == '.' {
			if m := reDiscordBot.FindStringIndex(s[start:min(len(s), start+80)]); m != nil && boundaryAfter(s, start+m[1]) {
				hits = append(hits, secretHit{kind: "discord_bot_token", start: start, end: start + m[1]})
				continue
			}
		}
		if d.entropy && highEntropyToken(s, start, end) {
			hits = append(hits, secretHit{kind: "high_entropy_string", start: start, end: end, generic: true})
		}
	}
	if len(hits) == 0 {
		return
	}
	// By start; on overlap the specific rule, then the longer match, wins.
	better := func(a, b secretHit) bool {
		if a.generic != b.generic {
			return !a.generic
		}
		return a.end-a.start > b.end-b.start
	}
	slices.SortStableFunc(hits, func(a, b secretHit) int { return a.start - b.start })
	kept := hits[:1]
	for _, h := range hits[1:] {
		last := &kept[len(kept)-1]
		switch {
		case h.start >= last.end:
			kept = append(kept, h)
		case better(h, *last):
			*last = h
		}
	}
	for _, h := range kept {
		emit(h.kind, h.start, h.end)
	}
}

// isSecretByte is a byte that can continue a token.
func isSecretByte(c byte) bool { return isWordByte(c) || c == '-' }

// secretStartBoundary reports whether a prefix at i starts a token rather
// than sitting inside an identifier (MY_AKIA… is not an AWS key id; a key
// right after '_' or '=' is).
func secretStartBoundary(s string, i int) bool {
	return i == 0 || !isAlnum(s[i-1])
}

// isTokenByte is a base64 or base62 character; '=' only pads (API_KEY=abc…
// is a name and a value, not one token).
func isTokenByte(c byte) bool {
	return isAlnum(c) || c == '+' || c == '/' || c == '_' || c == '-'
}

// highEntropyToken applies the entropy rule to s[start:end].
func highEntropyToken(s string, start, end int) bool {
	tok := strings.TrimRight(s[start:end], "=")
	if len(tok) < entropyMinLen || len(tok) > entropyMaxLen {
		return false
	}
	// Part of a dotted name (host, package, JWT part): not a key by itself.
	if (start > 0 && s[start-1] == '.') || (end+1 < len(s) && s[end] == '.' && isAlnum(s[end+1])) {
		return false
	}
	var lower, upper, digit, slash int
	for i := 0; i < len(tok); i++ {
		switch c := tok[i]; {
		case isLower(c):
			lower++
		case isUpper(c):
			upper++
		case isDigit(c):
			digit++
		case c == '/':
			slash++
		}
	}
	if lower == 0 || upper == 0 || digit == 0 || slash > len(tok)/8 {
		return false
	}
	if shannonEntropy(tok) < entropyThreshold(len(tok)) || wordsLike(tok) || placeholderSecret(tok) {
		return false
	}
	for _, p := range []string{"smg_", "sha1-", "sha256-", "sha384-", "sha512-", "iVBORw0KGgo", "/9j/", "R0lGOD", "UklGR", "JVBERi0", "UEsDB", "H4sI", "AAAA", "MII"} {
		if strings.HasPrefix(tok, p) {
			return false
		}
	}
	if (start >= 7 && s[start-7:start] == "base64,") || (start >= 3 && s[start-3:start] == "h1:") || hashPrefixed(s, start) {
		return false
	}
	if len(tok) < entropyContextLen && !contextBefore(s, start, "key", "token", "secret", "passw", "credential", "auth", "license", "bearer", "signature", "private") {
		return false
	}
	return !pathOfWords(tok) && !base64Text(tok)
}

// wordsLike reports identifiers made of words (camelCase, snake_case): their
// lowercase runs average four letters or more, which at most 0.1% of random
// 32-character base62 tokens reach (their mean run is about 1.7).
func wordsLike(tok string) bool {
	runs, letters := 0, 0
	for i := 0; i < len(tok); i++ {
		if isLower(tok[i]) {
			letters++
			if i == 0 || !isLower(tok[i-1]) {
				runs++
			}
		}
	}
	return runs > 0 && letters >= 4*runs
}

// hashPrefixed reports a token written as a hash: a fingerprint
// (SHA256:…) or a bcrypt/argon2 hash ($2b$12$…), which is not a credential.
func hashPrefixed(s string, start int) bool {
	before := s[max(0, start-16):start]
	return strings.HasSuffix(strings.ToUpper(before), "SHA256:") || strings.HasSuffix(strings.ToUpper(before), "SHA1:") ||
		strings.Contains(before, "$2a$") || strings.Contains(before, "$2b$") || strings.Contains(before, "$2y$") || strings.Contains(before, "$argon2")
}

// pathOfWords reports a slash-separated path whose segments are words or
// numbers (Projects/Gateway/2024), not random base64 that happens to hold
// slashes.
func pathOfWords(tok string) bool {
	if !strings.Contains(tok, "/") {
		return false
	}
	for seg := range strings.SplitSeq(tok, "/") {
		if seg == "" {
			continue
		}
		digits, lower, upperAfterFirst := 0, 0, 0
		for i := 0; i < len(seg); i++ {
			switch c := seg[i]; {
			case isDigit(c):
				digits++
			case isLower(c) || c == '-' || c == '_':
				lower++
			case isUpper(c) && i > 0:
				upperAfterFirst++
			}
		}
		if upperAfterFirst > 0 || (digits > 0 && digits != len(seg)) {
			return false
		}
	}
	return true
}

// base64Text reports a token that decodes to text: encoded prose or JSON is
// data, not a key (and the injection detector reads it).
func base64Text(tok string) bool {
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		trimmed := tok[:len(tok)/4*4]
		if raw, err := enc.DecodeString(trimmed); err == nil && printableRatio(raw) >= 0.95 {
			return true
		}
	}
	return false
}
