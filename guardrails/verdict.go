package guardrails

import (
	"fmt"
	"slices"
	"strings"
)

// Action is what the policy does with one detector's detections.
type Action string

const (
	// ActionAllow records a detection without acting on it: the detector ran
	// (it has settings) but is not block-listed, or the policy only monitors.
	ActionAllow Action = "allow"
	// ActionBlock refuses the call or result (in monitor mode: would have).
	ActionBlock Action = "block"
	// ActionRedact replaces the matches by placeholders before forwarding.
	ActionRedact Action = "redact"
)

// maxMatches bounds the matches kept per detection: a 1 MB result full of
// e-mail addresses must not produce a verdict as large as itself.
const maxMatches = 20

// Match is one place a detector matched.
type Match struct {
	// Kind refines the detector, e.g. "email".
	Kind string `json:"kind,omitempty"`
	// Path is where in the payload, e.g. "arguments/to" or "content/0/text".
	Path string `json:"path,omitempty"`
	// Start and End are byte offsets within that string, -1 when unknown.
	Start int `json:"start"`
	End   int `json:"end"`
	// Masked is a display form that never shows a secret or PII whole.
	Masked string `json:"masked,omitempty"`
}

// Detection sums up one detector's findings in a payload.
type Detection struct {
	Detector string `json:"detector"`
	Action   Action `json:"action"`
	// Count is the number of matches, including those beyond Matches.
	Count int `json:"count"`
	// Kinds lists the distinct kinds matched, sorted.
	Kinds []string `json:"kinds,omitempty"`
	// Sample is the first match, masked.
	Sample string `json:"sample,omitempty"`
	// Matches holds the first matches (at most 20).
	Matches []Match `json:"matches,omitempty"`
}

// Verdict is the engine's answer for one payload.
type Verdict struct {
	// Allowed says whether the payload may pass. A monitor-mode policy
	// always allows; a provider failure under an enforcing policy never does.
	Allowed bool `json:"allowed"`
	// Checked is false when the policy is disabled: nothing was evaluated.
	Checked bool `json:"checked"`
	// Mode is the mode applied.
	Mode Mode `json:"mode,omitempty"`
	// WouldBlock is set in monitor mode when an enforcing policy would have blocked.
	WouldBlock bool `json:"would_block,omitempty"`
	// Reason is a one-line, masked explanation fit for the client and the log.
	Reason string `json:"reason,omitempty"`
	// Provider names the provider that judged.
	Provider string `json:"provider,omitempty"`
	// Detections lists what was detected, by detector, sorted by name.
	Detections []Detection `json:"detections,omitempty"`
	// NotEvaluated lists detectors the policy asks for that did not run.
	// They are not counted as passed: they are reported here, in Reason
	// when block-listed, and block when the policy is strict.
	NotEvaluated []string `json:"not_evaluated,omitempty"`
	// Err is the provider failure behind a fail-closed verdict (for the log;
	// Reason already says it in terms fit for a client).
	Err error `json:"-"`
}

// Blocked is the negation of Allowed, for readable call sites.
func (v Verdict) Blocked() bool { return !v.Allowed }

// Detection returns the detection of one detector, if any.
func (v Verdict) Detection(detector string) (Detection, bool) {
	for _, d := range v.Detections {
		if d.Detector == detector {
			return d, true
		}
	}
	return Detection{}, false
}

// ToolVerdict is the verdict on one tool definition.
type ToolVerdict struct {
	// Name is the tool's name as its definition gives it.
	Name string `json:"name"`
	Verdict
}

// verdictFrom turns a provider's result for one document into a verdict
// under policy p. NotEvaluated merges the provider's list with static ones.
func verdictFrom(p Policy, stage Stage, provider string, doc Document, res Result, notEvaluated []string) Verdict {
	v := Verdict{Allowed: true, Checked: true, Mode: effectiveMode(p), Provider: provider}
	byDetector := map[string]*Detection{}
	for _, f := range res.Findings {
		d := byDetector[f.Detector]
		if d == nil {
			d = &Detection{Detector: f.Detector, Action: actionFor(p, stage, f.Detector)}
			byDetector[f.Detector] = d
		}
		d.Count++
		if f.Kind != "" && !slices.Contains(d.Kinds, f.Kind) {
			d.Kinds = append(d.Kinds, f.Kind)
		}
		if d.Sample == "" {
			d.Sample = f.Masked
		}
		if len(d.Matches) < maxMatches {
			m := Match{Kind: f.Kind, Start: f.Start, End: f.End, Masked: f.Masked}
			if f.Part >= 0 && f.Part < len(doc.Parts) {
				m.Path = doc.Parts[f.Part].Path
			}
			d.Matches = append(d.Matches, m)
		}
	}
	for _, d := range byDetector {
		slices.Sort(d.Kinds)
		v.Detections = append(v.Detections, *d)
	}
	slices.SortFunc(v.Detections, func(a, b Detection) int { return strings.Compare(a.Detector, b.Detector) })

	v.NotEvaluated = append(slices.Clone(notEvaluated), res.NotEvaluated...)
	slices.Sort(v.NotEvaluated)
	v.NotEvaluated = slices.Compact(v.NotEvaluated)

	var blocking []string
	for _, d := range v.Detections {
		if d.Action == ActionBlock {
			blocking = append(blocking, describe(d))
		}
	}
	var missing []string
	for _, name := range v.NotEvaluated {
		if p.blocks(name) {
			missing = append(missing, name)
		}
	}
	wouldBlock := len(blocking) > 0 || (p.Strict && len(missing) > 0)
	var reason []string
	if len(blocking) > 0 {
		reason = append(reason, "detected "+strings.Join(blocking, "; "))
	}
	if len(missing) > 0 {
		reason = append(reason, "not evaluated by "+provider+": "+strings.Join(missing, ", "))
	}
	v.Reason = strings.Join(reason, "; ")
	if wouldBlock {
		if p.monitor() {
			v.WouldBlock = true
		} else {
			v.Allowed = false
		}
	}
	return v
}

// failedVerdict is the verdict when the provider could not judge: blocked
// under an enforcing policy (fail closed), allowed and flagged in monitor mode.
func failedVerdict(p Policy, provider, reason string, err error) Verdict {
	v := Verdict{Checked: true, Mode: effectiveMode(p), Provider: provider, Reason: reason, Err: err}
	if p.monitor() {
		v.Allowed, v.WouldBlock = true, true
	}
	return v
}

// disabledVerdict is the verdict of a disabled policy.
func disabledVerdict() Verdict { return Verdict{Allowed: true} }

// actionFor is what the policy does with a detector's detections. Redaction
// applies to tool arguments only: the original system's pii_redaction
// protects what is sent upstream; PII in a result is the client's own data
// coming back (restored) or, when block-listed, a reason to block.
func actionFor(p Policy, stage Stage, detector string) Action {
	switch {
	case detector == DetectorPII && p.PIIRedaction && stage == StageInput:
		return ActionRedact
	case p.blocks(detector):
		return ActionBlock
	}
	return ActionAllow
}

func effectiveMode(p Policy) Mode {
	if p.monitor() {
		return ModeMonitor
	}
	return ModeEnforce
}

// describe renders a detection for a reason line: name, count, kinds and a
// masked sample.
func describe(d Detection) string {
	s := fmt.Sprintf("%s (%d", d.Detector, d.Count)
	if len(d.Kinds) > 0 {
		s += ": " + strings.Join(d.Kinds, ", ")
	}
	s += ")"
	if d.Sample != "" {
		s += " e.g. " + d.Sample
	}
	return s
}
