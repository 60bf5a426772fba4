package guardrails

import (
	"fmt"
	"regexp"
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
	m        *matcher
	regexes  []*regexp.Regexp
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
	d.m = newMatcher(d.keywords, true)
	return d, issues
}

// compileRegexes compiles patterns, reporting each invalid one.
func compileRegexes(patterns []string, field, detector string, issues []Issue) ([]*regexp.Regexp, []Issue) {
	var out []*regexp.Regexp
	for i, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			issues = append(issues, Issue{Severity: SeverityError, Field: fmt.Sprintf("%s[%d]", field, i), Detector: detector, Message: "invalid regular expression: " + err.Error()})
			continue
		}
		if re.MatchString("") {
			issues = append(issues, Issue{Severity: SeverityError, Field: fmt.Sprintf("%s[%d]", field, i), Detector: detector, Message: "regular expression matches the empty string, so it matches everything"})
			continue
		}
		out = append(out, re)
	}
	return out, issues
}

func (d *keywordDetector) name() string { return DetectorKeyword }

func (d *keywordDetector) scan(doc *scanDoc, emit func(Finding)) {
	for i, part := range doc.parts {
		s := part.Text
		d.m.scan(s, func(p, start, end int) bool {
			if wordMatch(s, d.keywords[p], start, end) {
				emit(Finding{Detector: DetectorKeyword, Kind: "keyword", Part: i, Start: start, End: end, Masked: sample(s[start:end])})
			}
			return true
		})
		for _, re := range d.regexes {
			for _, loc := range re.FindAllStringIndex(s, maxFindings) {
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
