package guardrails

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"unicode/utf8"
)

// Policy regular expressions (keyword_detector.regex, policy_violation
// rules) run on whole payloads. Go's regexp is linear-time, but it only
// skips ahead on a case-sensitive literal prefix; a case-insensitive
// expression runs its automaton on every byte, about 70 ns per byte: 70 ms
// for a 1 MB result, per expression.
//
// When every match of an expression must begin with one of a few literals
// ((?i)\b(drop|truncate)\s+table begins with "drop" or "truncate"), the
// literals are found in one automaton pass and the expression, anchored, is
// tried only there, on at most userRegexWindow bytes. A match longer than
// that window is cut short or missed: such expressions are not what keyword
// policies are made of. When the literals are too dense to pay off, and for
// expressions without such literals, the expression runs as is.

const (
	userRegexWindow = 4096
	minPrefixLen    = 2
)

type userRegexp struct {
	re       *regexp.Regexp
	anchored *regexp.Regexp // ^(?:re without its leading \b); nil: run re as is
	literals []string       // every match begins with one of these (folded)
	prefixes *matcher
	boundary bool // re began with \b, checked by hand at each candidate
}

// compileUserRegexp compiles a policy expression and, when it can, its
// literal-prefix plan.
func compileUserRegexp(pattern string) (*userRegexp, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	u := &userRegexp{re: re}
	tree, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return u, nil
	}
	tree = tree.Simplify()
	rest, boundary := dropLeadingBoundary(tree)
	lits, fold, ok := leadingLiterals(rest)
	if !ok || len(lits) == 0 || len(lits) > 64 {
		return u, nil
	}
	anchored, err := regexp.Compile(`^(?:` + rest.String() + `)`)
	if err != nil {
		return u, nil
	}
	if !fold {
		// The shared automaton folds; an exact literal is checked again by
		// the anchored expression.
		fold = true
	}
	u.anchored, u.literals, u.prefixes, u.boundary = anchored, lits, newMatcher(lits, fold), boundary
	return u, nil
}

// dropLeadingBoundary removes a leading \b, which needs the byte before the
// candidate and is checked by hand.
func dropLeadingBoundary(re *syntax.Regexp) (*syntax.Regexp, bool) {
	if re.Op == syntax.OpConcat && len(re.Sub) > 1 && re.Sub[0].Op == syntax.OpWordBoundary {
		out := *re
		out.Sub = re.Sub[1:]
		if len(out.Sub) == 1 {
			return out.Sub[0], true
		}
		return &out, true
	}
	return re, false
}

// leadingLiterals returns the literals every match begins with: ASCII, at
// least minPrefixLen bytes, folded when any is case-insensitive.
func leadingLiterals(re *syntax.Regexp) (lits []string, fold, ok bool) {
	switch re.Op {
	case syntax.OpLiteral:
		s := string(re.Rune)
		if len(s) < minPrefixLen || !asciiOnly(s) {
			return nil, false, false
		}
		return []string{s}, re.Flags&syntax.FoldCase != 0, true
	case syntax.OpCapture:
		return leadingLiterals(re.Sub[0])
	case syntax.OpConcat:
		if len(re.Sub) == 0 {
			return nil, false, false
		}
		return leadingLiterals(re.Sub[0])
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			l, f, ok := leadingLiterals(sub)
			if !ok {
				return nil, false, false
			}
			lits = append(lits, l...)
			fold = fold || f
		}
		return lits, fold, true
	}
	return nil, false, false
}

func asciiOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// anchors lists the expression's leading literals under one id.
func (u *userRegexp) anchors(id int) []anchorSpec {
	out := make([]anchorSpec, len(u.literals))
	for i, l := range u.literals {
		out[i] = anchorSpec{text: l, id: id}
	}
	return out
}

// findAll returns up to n non-overlapping matches, leftmost first, as
// regexp.FindAllStringIndex does.
func (u *userRegexp) findAll(s string, n int) [][]int {
	if u.anchored == nil {
		return u.re.FindAllStringIndex(s, n)
	}
	var starts []int
	u.prefixes.scan(s, func(_, start, _ int) bool {
		starts = append(starts, start)
		return true
	})
	return u.findAt(s, starts, n)
}

// findAt is findAll given where the leading literals occur (from the
// policy's shared automaton).
func (u *userRegexp) findAt(s string, starts []int, n int) [][]int {
	if u.anchored == nil || (len(starts) > 64 && len(starts) > len(s)/256) {
		// Dense literals: one pass of the plain expression costs less.
		return u.re.FindAllStringIndex(s, n)
	}
	// The automaton reports by end; matches are leftmost, so sort by start.
	slices.Sort(starts)
	var out [][]int
	next := 0
	for i, start := range starts {
		if start < next || (i > 0 && start == starts[i-1]) {
			continue
		}
		if u.boundary && (start > 0 && isWordByte(s[start-1])) == isWordByte(s[start]) {
			continue
		}
		loc := u.anchored.FindStringIndex(s[start:min(len(s), start+userRegexWindow)])
		if loc == nil || loc[1] == 0 {
			continue
		}
		out = append(out, []int{start, start + loc[1]})
		next = start + loc[1]
		if len(out) == n {
			break
		}
	}
	return out
}
