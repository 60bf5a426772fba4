package guardrails

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// maxFindings bounds the findings one detector reports for one document; a
// result with a hundred thousand e-mail addresses is judged by its first
// thousand. Detection.Count saturates there.
const maxFindings = 1000

// maxCompiled bounds the cache of compiled policies. Policies are few (three
// per server); the bound only guards against unbounded growth when
// additional_config varies per call.
const maxCompiled = 512

// LocalProvider evaluates policies in process, with no network: pii,
// secrets, injection_attack, keyword_detector, topic_detector,
// sponge_attack and policy_violation. Detectors that need a language model
// (toxicity, nsfw, bias, relevancy, adherence, hallucination) are reported
// as not evaluated. It is the default provider.
//
// Compiled policies (keyword automata, user regular expressions) are cached
// by the policy's content, so a policy is compiled once however often it is
// passed in.
type LocalProvider struct {
	secrets        *secretsDetector
	secretsNoEntro *secretsDetector
	injection      *injectionDetector

	mu    sync.RWMutex
	cache map[string]*compiledPolicy
}

// NewLocalProvider returns a local provider; its built-in rules are compiled
// here, once.
func NewLocalProvider() *LocalProvider {
	s := newSecretsDetector(true)
	noEntropy := *s
	noEntropy.entropy = false
	return &LocalProvider{secrets: s, secretsNoEntro: &noEntropy, injection: newInjectionDetector(), cache: map[string]*compiledPolicy{}}
}

// Name implements Provider.
func (l *LocalProvider) Name() string { return "local" }

// Supports implements Provider.
func (l *LocalProvider) Supports(detector string) bool {
	switch detector {
	case DetectorPII, DetectorSecrets, DetectorInjection, DetectorKeyword, DetectorTopic, DetectorSponge, DetectorPolicyViolation:
		return true
	}
	return false
}

// detector is one local detector compiled for a policy. Detectors anchor
// their rules on literals; a compiled policy finds the literals of all its
// detectors in one automaton pass per text and gives each detector its hits.
type detector interface {
	name() string
	// anchors lists the literals the detector wants located.
	anchors() []anchorSpec
	// scan reports findings; doc.hits[i] holds its anchor hits in part i.
	scan(doc *scanDoc, emit func(Finding))
}

// anchorSpec is a literal a detector wants located; id is the detector's own.
type anchorSpec struct {
	text  string
	exact bool // case-sensitive
	id    int
}

// anchorHit is one occurrence of a detector's anchor, in end order.
type anchorHit struct{ id, start, end int }

// scanDoc is a document being scanned, with the current detector's hits.
type scanDoc struct {
	parts []Part
	hits  [][]anchorHit
	lexed []*lexed
}

// compiledPolicy is a policy's detectors, ready to run.
type compiledPolicy struct {
	detectors    []detector
	notEvaluated []string
	issues       []Issue
	pii          *piiDetector

	// One automaton over every detector's anchors, folded; exact anchors
	// are checked against the text.
	anchors *matcher
	owner   []anchorOwner
	exact   []string // the anchor text when case-sensitive, else ""
}

type anchorOwner struct{ detector, id int }

// index builds the shared automaton.
func (cp *compiledPolicy) index() {
	var patterns []string
	for k, d := range cp.detectors {
		for _, a := range d.anchors() {
			patterns = append(patterns, a.text)
			cp.owner = append(cp.owner, anchorOwner{k, a.id})
			if a.exact {
				cp.exact = append(cp.exact, a.text)
			} else {
				cp.exact = append(cp.exact, "")
			}
		}
	}
	cp.anchors = newMatcher(patterns, true)
}

// hits locates every detector's anchors in one text: hits[detector].
func (cp *compiledPolicy) hits(s string) [][]anchorHit {
	out := make([][]anchorHit, len(cp.detectors))
	cp.anchors.scan(s, func(p, start, end int) bool {
		if e := cp.exact[p]; e != "" && s[start:end] != e {
			return true
		}
		o := cp.owner[p]
		out[o.detector] = append(out[o.detector], anchorHit{o.id, start, end})
		return true
	})
	return out
}

// Evaluate implements Provider.
func (l *LocalProvider) Evaluate(ctx context.Context, _ Stage, p Policy, docs []Document) ([]Result, error) {
	cp := l.compiled(p)
	results := make([]Result, len(docs))
	for i, doc := range docs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		perPart := make([][][]anchorHit, len(doc.Parts))
		for j, part := range doc.Parts {
			perPart[j] = cp.hits(part.Text)
		}
		sd := &scanDoc{parts: doc.Parts, hits: make([][]anchorHit, len(doc.Parts))}
		var findings []Finding
		for k, d := range cp.detectors {
			for j := range doc.Parts {
				sd.hits[j] = perPart[j][k]
			}
			n := 0
			d.scan(sd, func(f Finding) {
				if n < maxFindings {
					findings = append(findings, f)
				}
				n++
			})
		}
		results[i] = Result{Findings: findings, NotEvaluated: cp.notEvaluated}
	}
	return results, nil
}

// ValidatePolicy implements PolicyValidator: detector settings of the wrong
// shape, invalid regular expressions, detectors with nothing to check.
func (l *LocalProvider) ValidatePolicy(p Policy) []Issue {
	return l.compile(p).issues
}

// compiled returns the cached compilation of p, keyed by what compiling
// reads: its detectors, its additional_config, its redaction flag.
func (l *LocalProvider) compiled(p Policy) *compiledPolicy {
	var b strings.Builder
	for _, d := range p.Detectors() {
		b.WriteString(d)
		b.WriteByte(',')
	}
	b.WriteString(strconv.FormatBool(p.PIIRedaction))
	writeFingerprint(&b, p.Config)
	key := b.String()
	l.mu.RLock()
	cp, ok := l.cache[key]
	l.mu.RUnlock()
	if ok {
		return cp
	}
	cp = l.compile(p)
	l.mu.Lock()
	if len(l.cache) >= maxCompiled {
		clear(l.cache)
	}
	l.cache[key] = cp
	l.mu.Unlock()
	return cp
}

// writeFingerprint writes a canonical form of a decoded JSON value: map
// keys sorted, types tagged, strings length-prefixed (unambiguous without
// quoting). encoding/json would do, at several times the cost, three times
// per call.
func writeFingerprint(b *strings.Builder, v any) {
	str := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte('"')
		b.WriteString(s)
	}
	switch x := v.(type) {
	case nil:
		b.WriteByte('n')
	case string:
		str(x)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case json.Number:
		b.WriteByte('#')
		b.WriteString(string(x))
	case float64:
		b.WriteByte('#')
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	case int:
		b.WriteByte('#')
		b.WriteString(strconv.Itoa(x))
	case []any:
		b.WriteByte('[')
		for _, e := range x {
			writeFingerprint(b, e)
		}
		b.WriteByte(']')
	case []string:
		b.WriteByte('[')
		for _, e := range x {
			str(e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteByte('{')
		for _, k := range keys {
			str(k)
			writeFingerprint(b, x[k])
		}
		b.WriteByte('}')
	default:
		str(fmt.Sprintf("%T:%v", x, x))
	}
}

// compile builds the detectors a policy asks for.
func (l *LocalProvider) compile(p Policy) *compiledPolicy {
	cp := &compiledPolicy{}
	issue := func(sev Severity, field, detector, msg string) {
		cp.issues = append(cp.issues, Issue{Severity: sev, Field: field, Detector: detector, Message: msg})
	}
	for _, name := range p.Detectors() {
		cfg := p.detectorConfig(name)
		var d detector
		var missing []string
		switch name {
		case DetectorPII:
			pd, notEval, issues := newPIIDetector(cfg, l.secrets)
			d, missing = pd, notEval
			cp.pii = pd
			cp.issues = append(cp.issues, issues...)
		case DetectorSecrets:
			d = l.secrets
			if v, ok := cfg["high_entropy"]; ok {
				on, isBool := configBool(v)
				if !isBool {
					issue(SeverityError, "additional_config.secrets.high_entropy", name, "must be true or false")
				} else if !on {
					d = l.secretsNoEntro
				}
			}
		case DetectorInjection:
			d = l.injection
		case DetectorKeyword:
			kd, issues := newKeywordDetector(cfg)
			cp.issues = append(cp.issues, issues...)
			if kd != nil {
				d = kd
			}
		case DetectorTopic:
			td, issues := newTopicDetector(cfg)
			cp.issues = append(cp.issues, issues...)
			if td != nil {
				d = td
			}
		case DetectorSponge:
			sd, issues := newSpongeDetector(cfg)
			cp.issues = append(cp.issues, issues...)
			d = sd
		case DetectorPolicyViolation:
			pd, issues := newPolicyRulesDetector(cfg)
			cp.issues = append(cp.issues, issues...)
			if pd != nil {
				d = pd
			}
		}
		if d == nil {
			cp.notEvaluated = append(cp.notEvaluated, name)
			continue
		}
		cp.detectors = append(cp.detectors, d)
		cp.notEvaluated = append(cp.notEvaluated, missing...)
	}
	cp.index()
	return cp
}

// Redact implements Redactor: PII of the kinds the policy's pii detector
// reports is replaced by placeholders such as <PII_EMAIL_1>; the same value
// gets the same placeholder throughout the call.
func (l *LocalProvider) Redact(_ context.Context, p Policy, texts []string) ([]string, Restorer, error) {
	pd := l.compiled(p).pii
	if pd == nil {
		pd, _, _ = newPIIDetector(nil, l.secrets)
	}
	r := &localRestorer{}
	byValue := map[string]string{}
	counts := map[string]int{}
	out := make([]string, len(texts))
	for i, text := range texts {
		type span struct {
			kind       string
			start, end int
		}
		var spans []span
		pd.scanText(text, func(kind string, start, end int) { spans = append(spans, span{kind, start, end}) })
		if pd.secrets != nil {
			pd.secrets.scanText(text, func(_ string, start, end int) { spans = append(spans, span{piiSecretKind, start, end}) })
		}
		if len(spans) == 0 {
			out[i] = text
			continue
		}
		slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
		var b strings.Builder
		prev := 0
		for _, s := range spans {
			if s.start < prev {
				continue // overlaps the previous span
			}
			value := text[s.start:s.end]
			ph, ok := byValue[value]
			if !ok {
				counts[s.kind]++
				ph = "<PII_" + strings.ToUpper(s.kind) + "_" + strconv.Itoa(counts[s.kind]) + ">"
				byValue[value] = ph
				r.pairs = append(r.pairs, ph, value)
			}
			b.WriteString(text[prev:s.start])
			b.WriteString(ph)
			prev = s.end
		}
		b.WriteString(text[prev:])
		out[i] = b.String()
	}
	return out, r, nil
}

// localRestorer holds one call's placeholder mapping.
type localRestorer struct {
	pairs    []string // placeholder, original, …
	once     sync.Once
	replacer *strings.Replacer
}

// Restore implements Restorer.
func (r *localRestorer) Restore(_ context.Context, texts []string) ([]string, error) {
	r.once.Do(func() { r.replacer = strings.NewReplacer(r.pairs...) })
	out := make([]string, len(texts))
	for i, t := range texts {
		if len(r.pairs) > 0 && strings.Contains(t, "<PII_") {
			t = r.replacer.Replace(t)
		}
		out[i] = t
	}
	return out, nil
}
