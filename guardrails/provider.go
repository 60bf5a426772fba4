package guardrails

import "context"

// Stage names the enforcement point a check runs at. Providers may treat
// stages differently (the Enkrypt provider tells its service which event it
// checks; tool definitions go through its batch endpoint).
type Stage string

const (
	// StageInput checks a tool call's name and arguments before the upstream runs.
	StageInput Stage = "input"
	// StageOutput checks a tool result before the client sees it.
	StageOutput Stage = "output"
	// StageTool checks tool definitions at discovery (tool poisoning).
	StageTool Stage = "tool"
)

// Part is one string of a payload with where it came from, e.g.
// "arguments/query" or "content/0/text". Paths let a detection say where it
// matched without echoing the payload.
type Part struct {
	Path string
	Text string
}

// Document is one unit a verdict is given for: the name and arguments of one
// call, one result, or one tool definition.
type Document struct {
	Parts []Part
}

// Finding is one thing a provider detected. Providers report what they find;
// the engine decides from the policy what each finding does (block, redact
// or only report).
type Finding struct {
	// Detector is the detector name, e.g. "pii".
	Detector string
	// Kind refines it, e.g. "email" or "aws_access_key_id".
	Kind string
	// Part indexes the Document's Parts, or is -1 when the provider cannot
	// tell (a remote service that returns a summary only).
	Part int
	// Start and End are byte offsets of the match in that part, or -1.
	Start, End int
	// Masked is a display form safe for logs and client messages: secrets
	// and PII are masked, never echoed whole.
	Masked string
}

// Result is a provider's answer for one Document.
type Result struct {
	Findings []Finding
	// NotEvaluated lists detectors the policy asks for that the provider
	// could not run on this document. They are never counted as passed.
	NotEvaluated []string
}

// Provider evaluates documents against a policy. Implementations must be
// safe for concurrent use and must not panic on any input.
type Provider interface {
	// Name identifies the provider in verdicts and logs.
	Name() string
	// Supports reports whether the provider can evaluate a detector at all;
	// Validate uses it to warn about detectors that will not be evaluated.
	Supports(detector string) bool
	// Evaluate runs the policy's detectors on each document and returns one
	// Result per document, in order. An error means no document could be
	// judged; the engine then fails closed.
	Evaluate(ctx context.Context, stage Stage, p Policy, docs []Document) ([]Result, error)
}

// Redactor is implemented by providers that can replace PII by
// placeholders (the policy's pii_redaction).
type Redactor interface {
	// Redact returns texts with PII replaced, in order, and a Restorer that
	// puts the original values back. The mapping lives in the Restorer only:
	// one per call, never shared.
	Redact(ctx context.Context, p Policy, texts []string) ([]string, Restorer, error)
}

// Restorer puts redacted PII back into texts that came back from upstream.
type Restorer interface {
	Restore(ctx context.Context, texts []string) ([]string, error)
}

// PolicyValidator is implemented by providers with settings of their own to
// check (regular expressions, required names); Validate calls it.
type PolicyValidator interface {
	ValidatePolicy(p Policy) []Issue
}
