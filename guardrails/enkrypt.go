package guardrails

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Defaults of the Enkrypt provider, as the original system uses them.
const (
	DefaultEnkryptBaseURL = "https://api.enkryptai.com"
	// DefaultEnkryptTimeout is the original's guardrail_timeout.
	DefaultEnkryptTimeout = 15 * time.Second
	// DefaultEnkryptSourceName is sent as X-Enkrypt-Source-Name.
	DefaultEnkryptSourceName = "mcp-gateway"
	// DefaultEnkryptMaxText is the largest text sent in one detect call
	// (the original declares 100,000 characters); longer documents are sent
	// in several calls and their detections merged.
	DefaultEnkryptMaxText = 100_000

	maxEnkryptResponse = 16 << 20
	enkryptBoundary    = "\n\n[[[smg-part-boundary]]]\n\n"
)

// EnkryptConfig configures the Enkrypt provider.
type EnkryptConfig struct {
	// BaseURL of the service; DefaultEnkryptBaseURL when empty.
	BaseURL string
	// APIKey is the enkrypt_api_key setting, sent in the apikey header and
	// never logged nor put in an error.
	APIKey string
	// Timeout bounds each request; DefaultEnkryptTimeout when zero.
	Timeout time.Duration
	// HTTPClient sends the requests; a fresh client when nil.
	HTTPClient *http.Client
	// SourceName is sent as X-Enkrypt-Source-Name.
	SourceName string
	// MaxText is the largest text of one detect call, in bytes.
	MaxText int
}

// EnkryptProvider speaks the Enkrypt AI guardrails API as the original
// system does:
//
//   - POST {base}/guardrails/policy/detect with {"text": …} and the header
//     X-Enkrypt-Policy naming the policy, for tool arguments and results;
//     the answer is {"summary": {detector: 0|1|[…]}, "details": {…}}.
//   - POST {base}/guardrails/batch/detect with {"texts": […], "detectors":
//     {name: {"enabled": bool, …settings}}}, one text per tool definition;
//     the answer is a list of {summary, details} (or {"results": […]}).
//   - POST {base}/guardrails/pii with {"text", "mode": "request", "key":
//     "null"} to redact (answer {"text", "key"}) and {"text", "mode":
//     "response", "key"} to restore (answer {"text"}).
//
// Every request carries apikey, Content-Type, X-Enkrypt-Source-Name and
// X-Enkrypt-Source-Event (pre-tool, post-tool, tool-registration,
// pii-redact, pii-restore). Any failure — transport, timeout, a status other
// than 200, an {"error": …} body, an answer of the wrong shape — is an
// error, which the engine turns into a blocked verdict: the provider fails
// closed, unlike the original's registration check.
type EnkryptProvider struct {
	base   string
	cfg    EnkryptConfig
	client *http.Client
}

// NewEnkryptProvider checks cfg and returns the provider.
func NewEnkryptProvider(cfg EnkryptConfig) (*EnkryptProvider, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("enkrypt provider: an API key is required (setting enkrypt_api_key)")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultEnkryptBaseURL
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return nil, errors.New("enkrypt provider: the base URL must be an http(s) URL without credentials")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultEnkryptTimeout
	}
	if cfg.SourceName == "" {
		cfg.SourceName = DefaultEnkryptSourceName
	}
	if cfg.MaxText <= 0 {
		cfg.MaxText = DefaultEnkryptMaxText
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	return &EnkryptProvider{base: strings.TrimRight(cfg.BaseURL, "/"), cfg: cfg, client: client}, nil
}

// Name implements Provider.
func (e *EnkryptProvider) Name() string { return "enkrypt" }

// enkryptDetectors are the detectors the service's detect endpoints answer for.
func enkryptDetectors() []string {
	return []string{DetectorPII, DetectorInjection, DetectorToxicity, DetectorNSFW, DetectorKeyword, DetectorPolicyViolation, DetectorBias, DetectorSponge, DetectorTopic}
}

// Supports implements Provider. Relevancy, adherence and hallucination need
// the question and context alongside the answer, which the enforcement
// points do not have; secrets are an entity of Enkrypt's pii detector.
func (e *EnkryptProvider) Supports(detector string) bool {
	return slices.Contains(enkryptDetectors(), detector)
}

// ValidatePolicy implements PolicyValidator.
func (e *EnkryptProvider) ValidatePolicy(p Policy) []Issue {
	var issues []Issue
	if p.Enabled && strings.TrimSpace(p.Name) == "" {
		issues = append(issues, Issue{Severity: SeverityError, Field: "policy_name", Message: "the Enkrypt provider applies the guardrail policy of this name: it is required"})
	}
	if slices.Contains(p.Block, DetectorSecrets) {
		issues = append(issues, Issue{Severity: SeverityWarning, Field: "block", Detector: DetectorSecrets, Message: `Enkrypt reports secrets through its pii detector (entity "secrets"): block "pii" instead`})
	}
	return issues
}

// Evaluate implements Provider.
func (e *EnkryptProvider) Evaluate(ctx context.Context, stage Stage, p Policy, docs []Document) ([]Result, error) {
	if stage == StageTool {
		return e.batchDetect(ctx, p, docs)
	}
	if strings.TrimSpace(p.Name) == "" {
		return nil, errors.New("enkrypt: the policy has no policy_name to apply")
	}
	event := "pre-tool"
	if stage == StageOutput {
		event = "post-tool"
	}
	results := make([]Result, len(docs))
	for i, doc := range docs {
		var merged Result
		for _, chunk := range chunkText(joinParts(doc), e.cfg.MaxText) {
			var resp enkryptDetection
			if err := e.post(ctx, "/guardrails/policy/detect", event, p.Name, map[string]string{"text": chunk}, &resp); err != nil {
				return nil, err
			}
			if err := resp.valid(); err != nil {
				return nil, err
			}
			merged = mergeResults(merged, resp.result(p))
		}
		results[i] = merged
	}
	return results, nil
}

// batchDetect checks tool definitions in one call, detectors given inline.
func (e *EnkryptProvider) batchDetect(ctx context.Context, p Policy, docs []Document) ([]Result, error) {
	if len(docs) == 0 {
		return nil, nil
	}
	texts := make([]string, len(docs))
	for i, d := range docs {
		texts[i] = joinParts(d)
	}
	body := map[string]any{"texts": texts, "detectors": e.inlineDetectors(p)}
	var raw json.RawMessage
	if err := e.post(ctx, "/guardrails/batch/detect", "tool-registration", "", body, &raw); err != nil {
		return nil, err
	}
	var list []enkryptDetection
	if err := json.Unmarshal(raw, &list); err != nil {
		var wrapped struct {
			Results []enkryptDetection `json:"results"`
			Error   any                `json:"error"`
		}
		if err2 := json.Unmarshal(raw, &wrapped); err2 != nil || wrapped.Results == nil {
			if wrapped.Error != nil {
				return nil, fmt.Errorf("enkrypt batch detect: service error: %s", e.scrub(fmt.Sprint(wrapped.Error)))
			}
			return nil, errors.New("enkrypt batch detect: unexpected response shape")
		}
		list = wrapped.Results
	}
	if len(list) != len(docs) {
		return nil, fmt.Errorf("enkrypt batch detect: %d results for %d texts", len(list), len(docs))
	}
	results := make([]Result, len(docs))
	for i, d := range list {
		if err := d.valid(); err != nil {
			return nil, err
		}
		results[i] = d.result(p)
	}
	return results, nil
}

// inlineDetectors builds the batch call's detector settings: the policy's
// detectors enabled, the others disabled, each with its additional_config.
func (e *EnkryptProvider) inlineDetectors(p Policy) map[string]any {
	wanted := p.Detectors()
	out := map[string]any{}
	for _, name := range enkryptDetectors() {
		cfg := map[string]any{}
		for k, v := range p.detectorConfig(name) {
			cfg[k] = v
		}
		cfg["enabled"] = slices.Contains(wanted, name)
		if name == DetectorPolicyViolation {
			if _, ok := cfg["policy_text"]; !ok && p.Name != "" {
				cfg["policy_text"] = p.Name
			}
			if _, ok := cfg["need_explanation"]; !ok {
				cfg["need_explanation"] = true
			}
		}
		out[name] = cfg
	}
	return out
}

// Redact implements Redactor through the service's PII endpoint. The texts
// travel in one call, joined by a boundary line that is checked on return.
func (e *EnkryptProvider) Redact(ctx context.Context, _ Policy, texts []string) ([]string, Restorer, error) {
	joined, err := joinWithBoundary(texts)
	if err != nil {
		return nil, nil, err
	}
	var resp struct {
		Text *string `json:"text"`
		Key  any     `json:"key"`
	}
	if err := e.post(ctx, "/guardrails/pii", "pii-redact", "", map[string]string{"text": joined, "mode": "request", "key": "null"}, &resp); err != nil {
		return nil, nil, err
	}
	key, ok := resp.Key.(string)
	if resp.Text == nil || !ok || key == "" || key == "null" {
		return nil, nil, errors.New("enkrypt pii redact: response without text and key")
	}
	out, err := splitBoundary(*resp.Text, len(texts))
	if err != nil {
		return nil, nil, fmt.Errorf("enkrypt pii redact: %w", err)
	}
	return out, &enkryptRestorer{p: e, key: key}, nil
}

type enkryptRestorer struct {
	p   *EnkryptProvider
	key string
}

// Restore implements Restorer.
func (r *enkryptRestorer) Restore(ctx context.Context, texts []string) ([]string, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	joined, err := joinWithBoundary(texts)
	if err != nil {
		return nil, err
	}
	var resp struct {
		Text *string `json:"text"`
	}
	if err := r.p.post(ctx, "/guardrails/pii", "pii-restore", "", map[string]string{"text": joined, "mode": "response", "key": r.key}, &resp); err != nil {
		return nil, err
	}
	if resp.Text == nil {
		return nil, errors.New("enkrypt pii restore: response without text")
	}
	out, err := splitBoundary(*resp.Text, len(texts))
	if err != nil {
		return nil, fmt.Errorf("enkrypt pii restore: %w", err)
	}
	return out, nil
}

// post sends one request and decodes a 200 answer into out. Errors name the
// operation and the status, and carry at most a scrubbed excerpt of the
// body: never the API key, never the payload.
func (e *EnkryptProvider) post(ctx context.Context, path, event, policy string, body, out any) error {
	op := "enkrypt " + strings.TrimPrefix(path, "/guardrails/")
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("%s: encode request: %w", op, err)
	}
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.base+path, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("%s: build request: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("apikey", e.cfg.APIKey)
	req.Header.Set("X-Enkrypt-Source-Name", e.cfg.SourceName)
	req.Header.Set("X-Enkrypt-Source-Event", event)
	if policy != "" {
		req.Header.Set("X-Enkrypt-Policy", policy)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL is left out: it is ours, and could carry a proxy's credentials
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%s: no answer within %s: %w", op, e.cfg.Timeout, context.DeadlineExceeded)
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxEnkryptResponse+1))
	if err != nil {
		return fmt.Errorf("%s: read response: %w", op, err)
	}
	if len(data) > maxEnkryptResponse {
		return fmt.Errorf("%s: response larger than %d bytes", op, maxEnkryptResponse)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d: %s", op, resp.StatusCode, e.scrub(string(data)))
	}
	var probe struct {
		Error any `json:"error"`
	}
	if json.Unmarshal(data, &probe) == nil && probe.Error != nil && probe.Error != false && probe.Error != "" {
		return fmt.Errorf("%s: service error: %s", op, e.scrub(fmt.Sprint(probe.Error)))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s: response is not the expected JSON", op)
	}
	return nil
}

// scrub bounds a service message and removes the API key from it, should
// the service echo it.
func (e *EnkryptProvider) scrub(msg string) string {
	msg = strings.ReplaceAll(msg, e.cfg.APIKey, "[api key]")
	return sample(strings.TrimSpace(msg))
}

func joinParts(d Document) string {
	texts := make([]string, len(d.Parts))
	for i, p := range d.Parts {
		texts[i] = p.Text
	}
	return strings.Join(texts, "\n")
}

// chunkText splits s into pieces of at most n bytes on rune boundaries.
func chunkText(s string, n int) []string {
	if len(s) <= n {
		return []string{s}
	}
	var out []string
	for len(s) > n {
		cut := n
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		if cut == 0 {
			cut = n
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	return append(out, s)
}

func joinWithBoundary(texts []string) (string, error) {
	for _, t := range texts {
		if strings.Contains(t, enkryptBoundary) {
			return "", errors.New("enkrypt pii: a text contains the part boundary")
		}
	}
	return strings.Join(texts, enkryptBoundary), nil
}

func splitBoundary(s string, n int) ([]string, error) {
	out := strings.Split(s, enkryptBoundary)
	if len(out) != n {
		return nil, fmt.Errorf("the service changed the part boundaries (%d parts for %d texts)", len(out), n)
	}
	return out, nil
}

func mergeResults(a, b Result) Result {
	a.Findings = append(a.Findings, b.Findings...)
	a.NotEvaluated = append(a.NotEvaluated, b.NotEvaluated...)
	slices.Sort(a.NotEvaluated)
	a.NotEvaluated = slices.Compact(a.NotEvaluated)
	return a
}
