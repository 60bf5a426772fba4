package guardrails

import (
	"fmt"
	"regexp"
	"strings"
)

// policyRulesDetector applies the policy's own rules:
//
//	"policy_violation": {"rules": [
//	    {"name": "no-destructive-sql", "pattern": "(?i)\\b(drop|truncate)\\s+table\\b"},
//	    {"name": "no-competitors", "keywords": ["acme corp", "globex"]}]}
//
// A rule matches when its pattern (RE2) or any of its keywords (any case,
// whole words) matches; the detection's kind is the rule's name. A
// natural-language policy_text (what the Enkrypt service evaluates with a
// model) cannot be judged locally: without rules the detector is reported
// as not evaluated.
type policyRulesDetector struct {
	rules []policyRule
}

type policyRule struct {
	name     string
	re       *regexp.Regexp
	keywords []string
	m        *matcher
}

func newPolicyRulesDetector(cfg map[string]any) (*policyRulesDetector, []Issue) {
	var issues []Issue
	field := "additional_config.policy_violation.rules"
	bad := func(f, msg string) {
		issues = append(issues, Issue{Severity: SeverityError, Field: f, Detector: DetectorPolicyViolation, Message: msg})
	}
	list, ok := cfg["rules"].([]any)
	if cfg["rules"] != nil && !ok {
		bad(field, "must be a list of {name, pattern, keywords} rules")
	}
	d := &policyRulesDetector{}
	for i, item := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		obj, ok := item.(map[string]any)
		if !ok {
			bad(f, "must be an object with a name and a pattern or keywords")
			continue
		}
		r := policyRule{name: fmt.Sprintf("rule_%d", i)}
		if n, ok := obj["name"].(string); ok && strings.TrimSpace(n) != "" {
			r.name = strings.TrimSpace(n)
		}
		if p, ok := obj["pattern"].(string); ok && p != "" {
			res, errs := compileRegexes([]string{p}, f+".pattern", DetectorPolicyViolation, nil)
			issues = append(issues, errs...)
			if len(res) == 1 {
				r.re = res[0]
			}
		} else if obj["pattern"] != nil {
			bad(f+".pattern", "must be a regular expression")
		}
		keywords, ok := configStrings(obj["keywords"])
		if !ok {
			bad(f+".keywords", "must be a list of strings")
		}
		for _, k := range keywords {
			if k = strings.TrimSpace(k); k != "" {
				r.keywords = append(r.keywords, k)
			}
		}
		if r.re == nil && len(r.keywords) == 0 {
			bad(f, "has neither a valid pattern nor keywords")
			continue
		}
		r.m = newMatcher(r.keywords, true)
		d.rules = append(d.rules, r)
	}
	if len(d.rules) == 0 {
		msg := "no rules: the local provider has nothing to check and reports policy_violation as not evaluated"
		if _, ok := cfg["policy_text"]; ok {
			msg = "policy_text needs a model to judge (the Enkrypt provider); add rules ({name, pattern or keywords}) for the local provider, which otherwise reports policy_violation as not evaluated"
		}
		issues = append(issues, Issue{Severity: SeverityWarning, Field: "additional_config.policy_violation", Detector: DetectorPolicyViolation, Message: msg})
		return nil, issues
	}
	return d, issues
}

func (d *policyRulesDetector) name() string { return DetectorPolicyViolation }

func (d *policyRulesDetector) scan(doc *scanDoc, emit func(Finding)) {
	for i, part := range doc.parts {
		s := part.Text
		for _, r := range d.rules {
			r.m.scan(s, func(p, start, end int) bool {
				if wordMatch(s, r.keywords[p], start, end) {
					emit(Finding{Detector: DetectorPolicyViolation, Kind: r.name, Part: i, Start: start, End: end, Masked: sample(s[start:end])})
				}
				return true
			})
			if r.re != nil {
				for _, loc := range r.re.FindAllStringIndex(s, maxFindings) {
					emit(Finding{Detector: DetectorPolicyViolation, Kind: r.name, Part: i, Start: loc[0], End: loc[1], Masked: maskSecret(s[loc[0]:loc[1]])})
				}
			}
		}
	}
}
