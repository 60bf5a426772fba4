package guardrails

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// Detector names, spelled as the original system's block lists and the
// Enkrypt API spell them, so that stored policies keep their meaning.
const (
	DetectorPII             = "pii"
	DetectorSecrets         = "secrets"
	DetectorInjection       = "injection_attack"
	DetectorKeyword         = "keyword_detector"
	DetectorTopic           = "topic_detector"
	DetectorSponge          = "sponge_attack"
	DetectorPolicyViolation = "policy_violation"
	DetectorToxicity        = "toxicity"
	DetectorNSFW            = "nsfw"
	DetectorBias            = "bias"
	DetectorRelevancy       = "relevancy"
	DetectorAdherence       = "adherence"
	DetectorHallucination   = "hallucination"
)

// KnownDetectors lists every detector name some provider of this package
// understands. A block-list entry outside it is most likely a typo, and
// Validate says so.
func KnownDetectors() []string {
	list := detectorNames()
	return list[:]
}

// detectorNames is the list behind KnownDetectors, as an array: looking a
// name up allocates nothing.
func detectorNames() [13]string {
	return [...]string{
		DetectorPII, DetectorSecrets, DetectorInjection, DetectorKeyword,
		DetectorTopic, DetectorSponge, DetectorPolicyViolation, DetectorToxicity,
		DetectorNSFW, DetectorBias, DetectorRelevancy, DetectorAdherence,
		DetectorHallucination,
	}
}

func knownDetector(name string) bool {
	for _, d := range detectorNames() {
		if d == name {
			return true
		}
	}
	return false
}

// Mode says what a policy does with what it detects.
type Mode string

const (
	// ModeEnforce blocks on detections of block-listed detectors. It is the
	// default: a policy someone enabled is meant to protect.
	ModeEnforce Mode = "enforce"
	// ModeMonitor runs every check and records what it found and what it
	// would have done, but never blocks and never rewrites a payload. It lets
	// an operator measure a policy on real traffic before enforcing it.
	ModeMonitor Mode = "monitor"
)

// Keys of a stored policy's additional_config that the engine itself reads
// (detector settings are read by the providers).
const (
	// ConfigMode holds "enforce" or "monitor". The original system's policies
	// have no mode field; keeping it in additional_config needs no change to
	// the stored shape.
	ConfigMode = "mode"
	// ConfigPIIRedaction is the original system's flag: replace PII in tool
	// arguments by placeholders before forwarding, restore it in the result.
	ConfigPIIRedaction = "pii_redaction"
	// ConfigStrict makes a block-listed detector that could not be evaluated
	// block the call (fail closed) instead of being reported only.
	ConfigStrict = "strict"
)

// Policy is one guardrails policy as the engine applies it: the stored
// input, output or tool policy of a server, with the engine's own settings
// lifted out of additional_config by NewPolicy.
type Policy struct {
	// Enabled turns the policy on; a disabled policy allows everything unchecked.
	Enabled bool
	// Name is the policy name; the Enkrypt provider sends it as the policy to apply.
	Name string
	// Mode is enforce (the default when empty) or monitor.
	Mode Mode
	// Block lists the detectors whose detections block (or redact, for pii
	// with PIIRedaction). Other evaluated detectors only report.
	Block []string
	// Config is the stored additional_config: detector settings keyed by
	// detector name (e.g. "keyword_detector": {"banned_keywords": [...]}).
	Config map[string]any
	// PIIRedaction replaces PII in tool arguments by placeholders and
	// restores it in the result, instead of blocking on pii.
	PIIRedaction bool
	// Strict blocks when a block-listed detector could not be evaluated.
	Strict bool
}

// NewPolicy builds a Policy from the stored fields of a guardrails policy
// (enabled, policy_name, block, additional_config), reading mode,
// pii_redaction and strict from additional_config. It never fails: a bad
// value falls back to the safe default and Validate reports it.
func NewPolicy(enabled bool, name string, block []string, additional map[string]any) Policy {
	p := Policy{Enabled: enabled, Name: name, Mode: ModeEnforce, Block: slices.Clone(block), Config: additional}
	if s, ok := additional[ConfigMode].(string); ok && Mode(strings.ToLower(strings.TrimSpace(s))) == ModeMonitor {
		p.Mode = ModeMonitor
	}
	p.PIIRedaction, _ = configBool(additional[ConfigPIIRedaction])
	p.Strict, _ = configBool(additional[ConfigStrict])
	return p
}

// monitor reports whether the policy only observes. Any mode other than
// monitor enforces: an unreadable mode must not silently switch protection off.
func (p Policy) monitor() bool { return p.Mode == ModeMonitor }

// blocks reports whether detector is block-listed.
func (p Policy) blocks(detector string) bool { return slices.Contains(p.Block, detector) }

// Detectors lists the detectors the policy asks for, sorted: the block list,
// the detectors that have settings in Config (they run and report even when
// not block-listed), the original system's boolean output checks
// (relevancy, adherence, hallucination) when set, and pii when PIIRedaction
// is on.
func (p Policy) Detectors() []string {
	var out []string
	out = append(out, p.Block...)
	for key, v := range p.Config {
		switch key {
		case DetectorRelevancy, DetectorAdherence, DetectorHallucination:
			if on, _ := configBool(v); on {
				out = append(out, key)
			}
		default:
			if !knownDetector(key) {
				continue
			}
			obj, ok := v.(map[string]any)
			if !ok {
				continue
			}
			if on, isBool := configBool(obj["enabled"]); isBool && !on {
				continue
			}
			out = append(out, key)
		}
	}
	if p.PIIRedaction {
		out = append(out, DetectorPII)
	}
	out = slices.DeleteFunc(out, func(s string) bool { return s == "" })
	slices.Sort(out)
	return slices.Compact(out)
}

// detectorConfig returns the settings object of one detector, or nil.
func (p Policy) detectorConfig(detector string) map[string]any {
	obj, _ := p.Config[detector].(map[string]any)
	return obj
}

// configBool reads a JSON boolean; ok is false when v is not one.
func configBool(v any) (value, ok bool) {
	b, ok := v.(bool)
	return b, ok
}

// configNumber reads a JSON number as stored (json.Number, which the
// models package uses to keep every digit) or as decoded by plain
// encoding/json (float64) or built in Go (int).
func configNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		return f, err == nil
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// configStrings reads a JSON array of strings; ok is false when v is not
// one (a nil v is an empty, valid list).
func configStrings(v any) ([]string, bool) {
	switch list := v.(type) {
	case nil:
		return nil, true
	case []string:
		return list, true
	case []any:
		out := make([]string, 0, len(list))
		for _, item := range list {
			s, ok := item.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}
