package guardrails

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// enkryptDetection is one detect answer: {"summary": {...}, "details": {...}}.
type enkryptDetection struct {
	Summary map[string]json.RawMessage `json:"summary"`
	Details map[string]json.RawMessage `json:"details"`
}

func (d enkryptDetection) valid() error {
	if d.Summary == nil {
		return errors.New("enkrypt detect: response without a summary")
	}
	return nil
}

// enkryptSummaryKeys maps each summary key the service uses to the detector
// name of block lists. Two differ: keyword_detected (keyword_detector) and
// on_topic (topic_detector, where 0 is the violation).
func enkryptSummaryKeys() map[string]string {
	return map[string]string{
		"pii": DetectorPII, "injection_attack": DetectorInjection, "toxicity": DetectorToxicity,
		"nsfw": DetectorNSFW, "keyword_detected": DetectorKeyword, "keyword_detector": DetectorKeyword,
		"policy_violation": DetectorPolicyViolation, "bias": DetectorBias, "sponge_attack": DetectorSponge,
		"on_topic": DetectorTopic, "topic_detector": DetectorTopic,
	}
}

// result turns the answer into findings for the policy's detectors. A
// detector the policy asks for that the summary does not mention was not run
// by the service (the guardrail policy there does not enable it): it is not
// evaluated, never passed.
func (d enkryptDetection) result(p Policy) Result {
	var res Result
	present := map[string]bool{}
	keys := enkryptSummaryKeys()
	names := make([]string, 0, len(d.Summary))
	for k := range d.Summary {
		names = append(names, k)
	}
	slices.Sort(names) // deterministic order of findings
	for _, key := range names {
		detector, ok := keys[key]
		if !ok {
			continue
		}
		present[detector] = true
		value := d.Summary[key]
		if !enkryptFired(key, value) {
			continue
		}
		res.Findings = append(res.Findings, d.findings(detector, key, value)...)
	}
	for _, name := range p.Detectors() {
		if slices.Contains(enkryptDetectors(), name) && !present[name] {
			res.NotEvaluated = append(res.NotEvaluated, name)
		}
	}
	return res
}

// enkryptFired reads a summary value: 1 (or more), true, a non-empty list
// (toxicity lists its categories); on_topic is inverted, 0 meaning off topic.
func enkryptFired(key string, raw json.RawMessage) bool {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return false
	}
	if key == "on_topic" {
		n, ok := v.(float64)
		return ok && n == 0
	}
	switch x := v.(type) {
	case bool:
		return x
	case float64:
		return x >= 1
	case []any:
		return len(x) > 0
	case string:
		n, err := strconv.ParseFloat(x, 64)
		return err == nil && n >= 1
	}
	return false
}

// findings describes a fired detector from its details, without echoing the
// payload: category names, matched keywords (policy data), a score.
func (d enkryptDetection) findings(detector, key string, value json.RawMessage) []Finding {
	f := Finding{Detector: detector, Part: -1, Start: -1, End: -1}
	detail := d.Details[detector]
	if detail == nil {
		detail = d.Details[key]
	}
	var obj map[string]any
	_ = json.Unmarshal(detail, &obj)
	switch detector {
	case DetectorToxicity:
		var cats []string
		if json.Unmarshal(value, &cats) == nil && len(cats) > 0 {
			out := make([]Finding, 0, len(cats))
			for _, c := range cats {
				g := f
				g.Kind = c
				out = append(out, g)
			}
			return out
		}
	case DetectorKeyword:
		if kws, ok := configStrings(obj["detected_keywords"]); ok && len(kws) > 0 {
			out := make([]Finding, 0, len(kws))
			for _, k := range kws {
				g := f
				g.Kind, g.Masked = "keyword", sample(k)
				out = append(out, g)
			}
			return out
		}
	case DetectorPII:
		if inner, ok := obj["pii"].(map[string]any); ok {
			kinds := make([]string, 0, len(inner))
			for k := range inner {
				kinds = append(kinds, k)
			}
			slices.Sort(kinds)
			if len(kinds) > 0 {
				out := make([]Finding, 0, len(kinds))
				for _, k := range kinds {
					g := f
					g.Kind = k
					out = append(out, g)
				}
				return out
			}
		}
	case DetectorPolicyViolation:
		if s, ok := obj["violating_policy"].(string); ok && s != "" {
			f.Kind = s
		}
		if s, ok := obj["explanation"].(string); ok {
			f.Masked = sample(s)
		}
	case DetectorInjection:
		if score, ok := configNumber(obj["attack"]); ok {
			f.Masked = fmt.Sprintf("attack score %.2f", score)
		} else if s, ok := obj["attack"].(string); ok {
			f.Masked = "attack score " + sample(s)
		}
	}
	return []Finding{f}
}
