package guardrails

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeywordDetector(t *testing.T) {
	cfg := map[string]any{"banned_keywords": []any{"exec", "drop table", "rm -rf /", "Acme"}, "regex": []any{`(?i)\bpassw(or)?d\s*=`, `\b\d{3}-\d{4}\b`}}
	runDetectorTable(t, DetectorKeyword, cfg, []detectorCase{
		{"please EXEC this", "keyword"},
		{"DROP   TABLE users", ""}, // keywords are literal: two spaces are not one
		{"drop table users;", "keyword"},
		{"run rm -rf / now", "keyword"},
		{"ask acme support", "keyword"},
		{"the executive summary", ""},
		{"execution plan", ""},
		{"acmeCorp is fine", ""},
		{"db passwd = x", "regex"},
		{"ext 555-1234", "regex"},
		{"nothing to see", ""},
	})
}

func TestKeywordValidation(t *testing.T) {
	l := NewLocalProvider()
	p := NewPolicy(true, "p", []string{"keyword_detector"}, map[string]any{"keyword_detector": map[string]any{"banned_keywords": "exec", "regex": []any{"(", "a*", "ok"}}})
	issues := Validate(p, l)
	fields := map[string]bool{}
	for _, i := range issues {
		fields[i.Field] = i.Severity == SeverityError
	}
	assert.True(t, fields["additional_config.keyword_detector.banned_keywords"], "banned_keywords of the wrong type: %v", issues)
	assert.True(t, fields["additional_config.keyword_detector.regex[0]"], "invalid regex: %v", issues)
	assert.True(t, fields["additional_config.keyword_detector.regex[1]"], "regex matching everything: %v", issues)
	assert.True(t, HasErrors(issues))
	// The valid expression still runs.
	got := scanWith(t, l, DetectorKeyword, map[string]any{"regex": []any{"(", "ok"}}, "ok then")
	assert.Len(t, got, 1)

	p = NewPolicy(true, "p", []string{"keyword_detector"}, nil)
	res, err := l.Evaluate(t.Context(), StageInput, p, []Document{{Parts: []Part{{Text: "x"}}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"keyword_detector"}, res[0].NotEvaluated, "nothing to check is not evaluated, never passed")
}

func TestTopicDetector(t *testing.T) {
	allowed := map[string]any{"topic": []any{"airline"}}
	long := func(s string) string { return s + " " + strings.Repeat("and then some more words follow here ", 2) }
	runDetectorTable(t, DetectorTopic, allowed, []detectorCase{
		{long("My flight to Boston was delayed, can I rebook my seat?"), ""},
		{long("What is the baggage allowance for passengers on this airline?"), ""},
		{long("Write me a poem about the ocean and the moon tonight please"), "off_topic"},
		{"hi there", ""}, // too short to judge
	})
	denied := map[string]any{"denied_topics": []any{"politics", map[string]any{"name": "competitors", "keywords": []any{"globex", "initech"}}}}
	runDetectorTable(t, DetectorTopic, denied, []detectorCase{
		{"Who should I vote for in the election? The senator or the other candidate?", "denied:politics"},
		{"Is Globex cheaper than us?", "denied:competitors"},
		{"The president of the chess club called.", ""}, // one politics word is not enough
		{"Deploy the service to production.", ""},
	})
	custom := map[string]any{"topic": []any{"kubernetes operators"}, "min_words": 3}
	runDetectorTable(t, DetectorTopic, custom, []detectorCase{
		{"How do I write a Kubernetes operator in Go?", ""},
		{"Tell me a joke about cats please", "off_topic"},
	})
}

func TestSpongeDetector(t *testing.T) {
	runDetectorTable(t, DetectorSponge, map[string]any{"max_length": 1000}, []detectorCase{
		{strings.Repeat("a", 5000), "repetition"},
		{strings.Repeat("ha ", 3000), "repetition"},
		{strings.Repeat("x", 1001), "oversize"},
		{"A perfectly ordinary sentence.", ""},
	})
	runDetectorTable(t, DetectorSponge, map[string]any{"max_repeated_fraction": 1.0, "min_words": 100}, []detectorCase{
		{strings.Repeat("buffalo ", 400), "low_diversity"},
		{corpusProse(400), ""},
	})
	issues := Validate(NewPolicy(true, "p", []string{"sponge_attack"}, map[string]any{"sponge_attack": map[string]any{"max_length": "big", "min_unique_ratio": 2}}), NewLocalProvider())
	assert.Len(t, issues, 2)
}

// corpusProse makes n words of varied prose.
func corpusProse(n int) string {
	words := strings.Fields("the gateway forwards each call to its upstream server after the input policy allows it and checks the result before the client sees it while logs record which detector matched where and why so operators can tune policies against real traffic without blocking anyone during the trial period")
	var b strings.Builder
	r := fakeRand(7)
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[r.IntN(len(words))])
		if r.IntN(5) == 0 {
			b.WriteString(randString(r, "abcdefghijklmnopqrstuvwxyz", 3+r.IntN(6)))
		}
	}
	return b.String()
}

func TestPolicyRulesDetector(t *testing.T) {
	cfg := map[string]any{"rules": []any{
		map[string]any{"name": "no-destructive-sql", "pattern": `(?i)\b(drop|truncate)\s+table\b`},
		map[string]any{"name": "no-competitors", "keywords": []any{"globex", "initech corp"}},
	}}
	runDetectorTable(t, DetectorPolicyViolation, cfg, []detectorCase{
		{"TRUNCATE TABLE orders", "no-destructive-sql"},
		{"we beat Initech Corp again", "no-competitors"},
		{"select * from orders", ""},
		{"globexample.com", ""},
	})
	l := NewLocalProvider()
	p := NewPolicy(true, "p", []string{"policy_violation"}, map[string]any{"policy_violation": map[string]any{"policy_text": "Only airline topics"}})
	res, err := l.Evaluate(t.Context(), StageInput, p, []Document{{Parts: []Part{{Text: "x"}}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"policy_violation"}, res[0].NotEvaluated)
	issues := Validate(p, l)
	require.Len(t, issues, 1)
	assert.Contains(t, issues[0].Message, "policy_text needs a model")
	issues = Validate(NewPolicy(true, "p", []string{"policy_violation"}, map[string]any{"policy_violation": map[string]any{"rules": []any{map[string]any{"name": "x", "pattern": "("}, "bad"}}}), l)
	assert.True(t, HasErrors(issues))
}
