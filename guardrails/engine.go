package guardrails

import (
	"context"
	"encoding/json"
	"slices"
)

// Engine applies policies through one provider at the gateway's enforcement
// points. It holds no per-call state and is safe for concurrent use.
//
// The gateway's order for one tool call is:
//
//	in := engine.CheckInput(ctx, inputPolicy, tool, args)   // before the upstream runs
//	if in.Blocked() { refuse with in.Reason }
//	result := upstream.Call(tool, in.Arguments)             // redacted when pii_redaction is on
//	out := engine.CheckOutput(ctx, outputPolicy, result)    // sees placeholders, not the PII
//	if out.Blocked() { refuse with out.Reason }
//	result, err = in.Redaction.Restore(ctx, result)         // nil-safe
type Engine struct {
	provider Provider
}

// NewEngine returns an engine that evaluates through provider.
func NewEngine(provider Provider) *Engine {
	return &Engine{provider: provider}
}

// Provider returns the engine's provider.
func (e *Engine) Provider() Provider { return e.provider }

// InputVerdict is the verdict on a tool call, with the arguments to forward.
type InputVerdict struct {
	Verdict
	// Arguments are what to send upstream: the original arguments, or a copy
	// with PII replaced by placeholders when the policy redacts.
	Arguments json.RawMessage
	// Redaction restores the placeholders in the result; nil when nothing
	// was redacted (its methods accept a nil receiver).
	Redaction *Redaction
}

// CheckInput checks a tool call before the upstream runs: the tool name and
// every string (keys included) of the arguments, at any depth. When the
// policy has pii_redaction and allows the call, PII in argument values is
// replaced by placeholders in Arguments. Malformed arguments, a provider
// failure or a failed redaction block under an enforcing policy.
func (e *Engine) CheckInput(ctx context.Context, p Policy, tool string, args json.RawMessage) InputVerdict {
	in := InputVerdict{Arguments: args}
	if !p.Enabled {
		in.Verdict = disabledVerdict()
		return in
	}
	doc, values, err := inputDocument(tool, args)
	if err != nil {
		in.Verdict = failedVerdict(p, e.provider.Name(), "tool arguments are not valid JSON", err)
		return in
	}
	in.Verdict = e.evaluateOne(ctx, StageInput, p, doc)
	if in.Blocked() || !p.PIIRedaction || p.monitor() || len(values) == 0 {
		return in
	}
	redacted, redaction, err := e.redact(ctx, p, args, doc, values)
	if err != nil {
		in.Verdict = failedVerdict(p, e.provider.Name(), "PII redaction failed", err)
		in.Arguments = args
		return in
	}
	in.Arguments, in.Redaction = redacted, redaction
	return in
}

// CheckOutput checks a tool result (the JSON of an MCP CallToolResult, or
// any JSON value) before the client sees it: every text content item,
// embedded resource text and structuredContent string. Run it before
// restoring redacted PII, so that the output policy judges what the upstream
// produced.
func (e *Engine) CheckOutput(ctx context.Context, p Policy, result json.RawMessage) Verdict {
	if !p.Enabled {
		return disabledVerdict()
	}
	doc, err := outputDocument(result)
	if err != nil {
		return failedVerdict(p, e.provider.Name(), "tool result is not valid JSON", err)
	}
	return e.evaluateOne(ctx, StageOutput, p, doc)
}

// CheckText checks one free text, e.g. a server's name and description at
// discovery. path names it in matches.
func (e *Engine) CheckText(ctx context.Context, stage Stage, p Policy, path, text string) Verdict {
	if !p.Enabled {
		return disabledVerdict()
	}
	return e.evaluateOne(ctx, stage, p, Document{Parts: []Part{{Path: path, Text: text}}})
}

// CheckTools checks tool definitions at discovery, one verdict per tool in
// order, for the gateway to hide the blocked ones. tools is a JSON array of
// MCP Tool objects or a ListToolsResult. An error means the definitions
// could not be read; the gateway should then expose none of them. A provider
// failure gives every tool a blocked verdict (in enforce mode).
func (e *Engine) CheckTools(ctx context.Context, p Policy, tools json.RawMessage) ([]ToolVerdict, error) {
	names, docs, err := toolDocuments(tools)
	if err != nil {
		return nil, err
	}
	out := make([]ToolVerdict, len(docs))
	if !p.Enabled {
		for i := range docs {
			out[i] = ToolVerdict{Name: names[i], Verdict: disabledVerdict()}
		}
		return out, nil
	}
	verdicts := e.evaluate(ctx, StageTool, p, docs)
	for i := range docs {
		out[i] = ToolVerdict{Name: names[i], Verdict: verdicts[i]}
	}
	return out, nil
}

// Validate checks a policy against the engine's provider; see Validate.
func (e *Engine) Validate(p Policy) []Issue { return Validate(p, e.provider) }

func (e *Engine) evaluateOne(ctx context.Context, stage Stage, p Policy, doc Document) Verdict {
	return e.evaluate(ctx, stage, p, []Document{doc})[0]
}

// evaluate runs the provider and turns its results into verdicts, failing
// closed when it errs, answers for the wrong number of documents, or the
// context ends first.
func (e *Engine) evaluate(ctx context.Context, stage Stage, p Policy, docs []Document) []Verdict {
	name := e.provider.Name()
	static := notSupported(p, e.provider.Supports)
	verdicts := make([]Verdict, len(docs))
	results, err := e.provider.Evaluate(ctx, stage, p, docs)
	if err == nil && len(results) != len(docs) {
		err = errResultCount
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		for i := range verdicts {
			verdicts[i] = failedVerdict(p, name, "guardrails provider "+name+" failed: "+errorReason(err), err)
		}
		return verdicts
	}
	for i, doc := range docs {
		verdicts[i] = verdictFrom(p, stage, name, doc, results[i], static)
	}
	return verdicts
}

// redact replaces PII in the argument values through the provider.
func (e *Engine) redact(ctx context.Context, p Policy, args json.RawMessage, doc Document, values []stringSpan) (json.RawMessage, *Redaction, error) {
	redactor, ok := e.provider.(Redactor)
	if !ok {
		return nil, nil, errNoRedactor
	}
	texts := make([]string, len(values))
	for i, v := range values {
		texts[i] = doc.Parts[v.part].Text
	}
	out, restorer, err := redactor.Redact(ctx, p, texts)
	if err != nil {
		return nil, nil, err
	}
	if len(out) != len(texts) {
		return nil, nil, errResultCount
	}
	var edits []jsonEdit
	for i, v := range values {
		if out[i] != texts[i] {
			edits = append(edits, jsonEdit{start: v.start, end: v.end, value: out[i]})
		}
	}
	if len(edits) == 0 {
		return args, nil, nil
	}
	return applyJSONEdits(args, edits), &Redaction{restorer: restorer}, nil
}

// Redaction restores the PII that CheckInput replaced by placeholders. It
// holds the mapping of one call only.
type Redaction struct {
	restorer Restorer
}

// Restore puts the redacted values back into every string of a tool result
// (the JSON the upstream returned). A nil Redaction returns result as is.
// An error leaves the result unusable: the client would see placeholders.
func (r *Redaction) Restore(ctx context.Context, result json.RawMessage) (json.RawMessage, error) {
	if r == nil || r.restorer == nil || len(result) == 0 {
		return result, nil
	}
	var texts []string
	var spans []stringSpan
	err := walkJSON(result, func(s *jsonString) error {
		if !s.key {
			spans = append(spans, stringSpan{start: s.start, end: s.end})
			texts = append(texts, s.value())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	restored, err := r.restorer.Restore(ctx, texts)
	if err != nil {
		return nil, err
	}
	if len(restored) != len(texts) {
		return nil, errResultCount
	}
	var edits []jsonEdit
	for i, s := range spans {
		if restored[i] != texts[i] {
			edits = append(edits, jsonEdit{start: s.start, end: s.end, value: restored[i]})
		}
	}
	if len(edits) == 0 {
		return result, nil
	}
	return applyJSONEdits(result, edits), nil
}

// RestoreText restores the placeholders in one text (e.g. an error message
// from upstream). A nil Redaction returns text as is.
func (r *Redaction) RestoreText(ctx context.Context, text string) (string, error) {
	if r == nil || r.restorer == nil {
		return text, nil
	}
	out, err := r.restorer.Restore(ctx, []string{text})
	if err != nil {
		return "", err
	}
	if len(out) != 1 {
		return "", errResultCount
	}
	return out[0], nil
}

// notSupported lists the detectors of p a provider cannot evaluate.
func notSupported(p Policy, supports func(string) bool) []string {
	return slices.DeleteFunc(p.Detectors(), supports)
}
