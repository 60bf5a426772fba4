package guardrails

import (
	"fmt"
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
	// Anchor ids: keyword k of rule r is keywordIDs[r]+k; the leading
	// literals of rule r's pattern are regexID[r].
	keywordIDs, regexIDs []int
}

type policyRule struct {
	name     string
	re       *userRegexp
	keywords []string
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
	id := 0
	for _, r := range d.rules {
		d.keywordIDs = append(d.keywordIDs, id)
		id += len(r.keywords)
		d.regexIDs = append(d.regexIDs, id)
		id++
	}
	return d, issues
}

func (d *policyRulesDetector) name() string { return DetectorPolicyViolation }

func (d *policyRulesDetector) anchors() []anchorSpec {
	var out []anchorSpec
	for r, rule := range d.rules {
		for k, kw := range rule.keywords {
			out = append(out, anchorSpec{text: kw, id: d.keywordIDs[r] + k})
		}
		if rule.re != nil {
			out = append(out, rule.re.anchors(d.regexIDs[r])...)
		}
	}
	return out
}

// rule maps an anchor id to its rule, and to its keyword (-1 for the
// pattern's literals).
func (d *policyRulesDetector) rule(id int) (r, keyword int) {
	for r = len(d.rules) - 1; r > 0 && d.keywordIDs[r] > id; r-- {
	}
	if id == d.regexIDs[r] {
		return r, -1
	}
	return r, id - d.keywordIDs[r]
}

func (d *policyRulesDetector) scan(doc *scanDoc, emit func(Finding)) {
	for i, part := range doc.parts {
		s := part.Text
		starts := make([][]int, len(d.rules))
		for _, h := range doc.hits[i] {
			r, k := d.rule(h.id)
			if k < 0 {
				starts[r] = append(starts[r], h.start)
				continue
			}
			if wordMatch(s, d.rules[r].keywords[k], h.start, h.end) {
				emit(Finding{Detector: DetectorPolicyViolation, Kind: d.rules[r].name, Part: i, Start: h.start, End: h.end, Masked: sample(s[h.start:h.end])})
			}
		}
		for r, rule := range d.rules {
			if rule.re == nil {
				continue
			}
			for _, loc := range rule.re.findAt(s, starts[r], maxFindings) {
				emit(Finding{Detector: DetectorPolicyViolation, Kind: rule.name, Part: i, Start: loc[0], End: loc[1], Masked: maskSecret(s[loc[0]:loc[1]])})
			}
		}
	}
}
