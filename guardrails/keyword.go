package guardrails

import (
	"fmt"
	"strings"
)

// keywordDetector reports banned keywords and regular expressions from the
// policy, in the original system's shape:
//
//	"keyword_detector": {"banned_keywords": ["exec", "drop table"], "regex": ["(?i)rm\\s+-rf\\s+/"]}
//
// Keywords match in any case, as whole words when they begin and end with a
// letter or digit ("exec" does not match "executive"), and may contain
// spaces. Expressions use Go's RE2 syntax (linear time, no backtracking);
// an invalid one is a Validate error and is skipped.
type keywordDetector struct {
	keywords []string
	regexes  []*userRegexp
}

func newKeywordDetector(cfg map[string]any) (*keywordDetector, []Issue) {
	var issues []Issue
	bad := func(field, msg string) {
		issues = append(issues, Issue{Severity: SeverityError, Field: "additional_config.keyword_detector." + field, Detector: DetectorKeyword, Message: msg})
	}
	d := &keywordDetector{}
	keywords, ok := configStrings(cfg["banned_keywords"])
	if !ok {
		bad("banned_keywords", "must be a list of strings")
	}
	for _, k := range keywords {
		if k = strings.TrimSpace(k); k != "" {
			d.keywords = append(d.keywords, k)
		}
	}
	patterns, ok := configStrings(cfg["regex"])
	if !ok {
		bad("regex", "must be a list of regular expressions")
	}
	d.regexes, issues = compileRegexes(patterns, "additional_config.keyword_detector.regex", DetectorKeyword, issues)
	if len(d.keywords) == 0 && len(d.regexes) == 0 {
		issues = append(issues, Issue{Severity: SeverityWarning, Field: "additional_config.keyword_detector", Detector: DetectorKeyword,
			Message: "no banned_keywords or regex: the local provider has nothing to check and reports keyword_detector as not evaluated"})
		return nil, issues
	}
	return d, issues
}

// compileRegexes compiles patterns, reporting each invalid one.
func compileRegexes(patterns []string, field, detector string, issues []Issue) ([]*userRegexp, []Issue) {
	var out []*userRegexp
	for i, p := range patterns {
		re, err := compileUserRegexp(p)
		if err != nil {
			issues = append(issues, Issue{Severity: SeverityError, Field: fmt.Sprintf("%s[%d]", field, i), Detector: detector, Message: "invalid regular expression: " + err.Error()})
			continue
		}
		if re.re.MatchString("") {
			issues = append(issues, Issue{Severity: SeverityError, Field: fmt.Sprintf("%s[%d]", field, i), Detector: detector, Message: "regular expression matches the empty string, so it matches everything"})
			continue
		}
		out = append(out, re)
	}
	return out, issues
}

func (d *keywordDetector) name() string { return DetectorKeyword }

// anchors: keywords under their index, then each regex's leading literals
// under len(keywords)+its index.
func (d *keywordDetector) anchors() []anchorSpec {
	var out []anchorSpec
	for i, k := range d.keywords {
		out = append(out, anchorSpec{text: k, id: i})
	}
	for i, re := range d.regexes {
		out = append(out, re.anchors(len(d.keywords)+i)...)
	}
	return out
}

func (d *keywordDetector) scan(doc *scanDoc, emit func(Finding)) {
	for i, part := range doc.parts {
		s := part.Text
		starts := make([][]int, len(d.regexes))
		for _, h := range doc.hits[i] {
			if h.id >= len(d.keywords) {
				starts[h.id-len(d.keywords)] = append(starts[h.id-len(d.keywords)], h.start)
				continue
			}
			if wordMatch(s, d.keywords[h.id], h.start, h.end) {
				emit(Finding{Detector: DetectorKeyword, Kind: "keyword", Part: i, Start: h.start, End: h.end, Masked: sample(s[h.start:h.end])})
			}
		}
		for j, re := range d.regexes {
			for _, loc := range re.findAt(s, starts[j], maxFindings) {
				emit(Finding{Detector: DetectorKeyword, Kind: "regex", Part: i, Start: loc[0], End: loc[1], Masked: maskSecret(s[loc[0]:loc[1]])})
			}
		}
	}
}

// wordMatch requires word boundaries at the ends of a keyword that begin or
// end with a word character.
func wordMatch(s, keyword string, start, end int) bool {
	if isWordByte(keyword[0]) && !boundaryBefore(s, start) {
		return false
	}
	if isWordByte(keyword[len(keyword)-1]) && !boundaryAfter(s, end) {
		return false
	}
	return true
}
