package guardrails

// lexed is what one pass over a text tells several detectors, so that each
// does not walk the text again: whether it is all ASCII (no invisible
// Unicode to look for), its base64/base62 tokens long enough to be keys or
// encoded payloads (secrets, injection), its words (topic, sponge), and its
// longest run of spaced-out letters (injection).
type lexed struct {
	ascii bool
	// tokens are maximal runs of token bytes with their '=' padding, at
	// least minLexToken long.
	tokens [][2]int
	words  wordCounter
	// spaced is the longest run of single letters each followed by one
	// space ("i g n o r e").
	spaced int
}

const minLexToken = entropyMinLen

// lexText makes one pass over s.
func lexText(s string) *lexed {
	lx := &lexed{ascii: true}
	run := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x80:
			// Other scripts: a run of non-ASCII and word bytes is a word.
			lx.ascii = false
			h := wordHashStart
			for i < len(s) && (s[i] >= 0x80 || isWordByte(s[i])) {
				if s[i] < 0x80 {
					h = wordHashStep(h, s[i])
				} else if s[i] >= 0xC0 {
					h = wordHashStep(h, s[i]) // lead bytes only: enough to tell words apart
				}
				i++
			}
			lx.words.addHash(h)
			run = 0
		case isTokenByte(c):
			start, h, inWord := i, wordHashStart, false
			for i < len(s) && isTokenByte(s[i]) {
				if isWordByte(s[i]) {
					h, inWord = wordHashStep(h, s[i]), true
				} else if inWord {
					// '+', '/' and '-' end a word, not a token.
					lx.words.addHash(h)
					h, inWord = wordHashStart, false
				}
				i++
			}
			if inWord {
				lx.words.addHash(h)
			}
			end := i
			for pad := 0; pad < 2 && i < len(s) && s[i] == '='; pad++ {
				i++
			}
			if i-start >= minLexToken {
				lx.tokens = append(lx.tokens, [2]int{start, i})
			}
			if end-start == 1 && (isLower(c) || isUpper(c)) && i < len(s) && s[i] == ' ' {
				run++
				lx.spaced = max(lx.spaced, run)
			} else {
				run = 0
			}
		case c == ' ':
			i++
		default:
			run = 0
			i++
		}
	}
	return lx
}

const wordHashStart = uint64(14695981039346656037)

// wordHashStep folds one byte (case-insensitively) into an FNV-1a hash.
func wordHashStep(h uint64, c byte) uint64 { return (h ^ uint64(c|0x20)) * 1099511628211 }

// lex returns the lexing of part i, computing it once.
func (d *scanDoc) lex(i int) *lexed {
	if d.lexed == nil {
		d.lexed = make([]*lexed, len(d.parts))
	}
	if d.lexed[i] == nil {
		d.lexed[i] = lexText(d.parts[i].Text)
	}
	return d.lexed[i]
}
