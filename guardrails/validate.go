package guardrails

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

var (
	errResultCount = errors.New("provider answered for a different number of items than asked")
	errNoRedactor  = errors.New("provider cannot redact PII")
)

// errorReason renders a provider failure for a verdict's reason. Providers
// build their errors without secrets (the Enkrypt provider never puts its
// API key or a payload in an error), so the text is safe to show; it is
// bounded so that a long upstream message cannot flood a client.
func errorReason(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return truncate(err.Error(), 300)
}

// Severity grades an Issue.
type Severity string

const (
	// SeverityError marks a policy that cannot work as written (an invalid
	// regular expression, a wrong type): config validation should refuse it.
	SeverityError Severity = "error"
	// SeverityWarning marks a policy that works but not as its author may
	// think (a detector that will not be evaluated, an unknown name).
	SeverityWarning Severity = "warning"
)

// Issue is one problem Validate found.
type Issue struct {
	Severity Severity `json:"severity"`
	// Field locates it in the stored policy's terms, e.g. "block[2]" or
	// "additional_config.keyword_detector.regex[0]".
	Field string `json:"field"`
	// Detector names the detector concerned, if any.
	Detector string `json:"detector,omitempty"`
	Message  string `json:"message"`
}

func (i Issue) String() string {
	return fmt.Sprintf("%s: %s: %s", i.Severity, i.Field, i.Message)
}

// HasErrors reports whether issues holds an error (not only warnings).
func HasErrors(issues []Issue) bool {
	return slices.ContainsFunc(issues, func(i Issue) bool { return i.Severity == SeverityError })
}

// Validate checks a policy for a provider, as configuration validation and
// the gateway's start do: engine settings of the wrong type, unknown or
// duplicated detector names, detectors the provider will not evaluate (they
// would be reported as not evaluated on every call, never as passed), and the
// provider's own checks (invalid regular expressions, a missing policy name).
// A disabled policy is validated too: it may be enabled later.
func Validate(p Policy, provider Provider) []Issue {
	var issues []Issue
	add := func(sev Severity, field, detector, format string, args ...any) {
		issues = append(issues, Issue{Severity: sev, Field: field, Detector: detector, Message: fmt.Sprintf(format, args...)})
	}
	if v, ok := p.Config[ConfigMode]; ok {
		s, isString := v.(string)
		m := Mode(strings.ToLower(strings.TrimSpace(s)))
		if !isString || (m != ModeEnforce && m != ModeMonitor) {
			add(SeverityError, "additional_config."+ConfigMode, "", `must be "enforce" or "monitor"; the policy enforces until it is fixed`)
		}
	}
	for _, key := range []string{ConfigPIIRedaction, ConfigStrict} {
		if v, ok := p.Config[key]; ok {
			if _, isBool := configBool(v); !isBool {
				add(SeverityError, "additional_config."+key, "", "must be true or false")
			}
		}
	}
	seen := map[string]bool{}
	for i, name := range p.Block {
		field := fmt.Sprintf("block[%d]", i)
		switch {
		case strings.TrimSpace(name) == "":
			add(SeverityError, field, "", "empty detector name")
		case seen[name]:
			add(SeverityWarning, field, name, "detector %q listed twice", name)
		case !knownDetector(name):
			add(SeverityWarning, field, name, "unknown detector %q (known: %s)", name, strings.Join(KnownDetectors(), ", "))
		}
		seen[name] = true
	}
	name := "<none>"
	if provider != nil {
		name = provider.Name()
	}
	for _, d := range p.Detectors() {
		if provider != nil && provider.Supports(d) {
			continue
		}
		if !knownDetector(d) {
			continue // already reported as unknown
		}
		field := "additional_config." + d
		if i := slices.Index(p.Block, d); i >= 0 {
			field = fmt.Sprintf("block[%d]", i)
		}
		add(SeverityWarning, field, d, "detector %q is not evaluated by the %s provider: it will be reported as not evaluated on every call, never as passed", d, name)
	}
	if p.Enabled && len(p.Detectors()) == 0 {
		add(SeverityWarning, "block", "", "the policy is enabled but names no detector: it checks nothing")
	}
	if p.PIIRedaction {
		if _, ok := provider.(Redactor); !ok {
			add(SeverityError, "additional_config."+ConfigPIIRedaction, DetectorPII, "the %s provider cannot redact PII", name)
		}
	}
	if v, ok := provider.(PolicyValidator); ok {
		issues = append(issues, v.ValidatePolicy(p)...)
	}
	return issues
}
