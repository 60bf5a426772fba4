package guardrails

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// scanWith runs one local detector, block-listed, with cfg as its
// additional_config entry, on text; it returns the findings.
func scanWith(t *testing.T, l *LocalProvider, detector string, cfg map[string]any, text string) []Finding {
	t.Helper()
	config := map[string]any{}
	if cfg != nil {
		config[detector] = cfg
	}
	p := NewPolicy(true, "test", []string{detector}, config)
	res, err := l.Evaluate(context.Background(), StageInput, p, []Document{{Parts: []Part{{Path: "text", Text: text}}}})
	require.NoError(t, err)
	require.Len(t, res, 1)
	return res[0].Findings
}

// kindsOf lists the distinct kinds of findings, sorted.
func kindsOf(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Kind)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// detectorCase is one row of a detector's table test: a text, and the kind
// it must be found as ("" for a text that must yield nothing).
type detectorCase struct {
	text string
	kind string
}

// runDetectorTable checks every row: a positive must be found with its kind
// (and its span must lie in the text), a negative must yield no finding.
func runDetectorTable(t *testing.T, detector string, cfg map[string]any, cases []detectorCase) {
	t.Helper()
	l := NewLocalProvider()
	for _, c := range cases {
		got := scanWith(t, l, detector, cfg, c.text)
		if c.kind == "" {
			if len(got) > 0 {
				t.Errorf("%s: false positive on %q: %v (%q)", detector, c.text, kindsOf(got), c.text[max(0, got[0].Start):max(0, got[0].End)])
			}
			continue
		}
		if !slices.Contains(kindsOf(got), c.kind) {
			t.Errorf("%s: missed %s in %q (got %v)", detector, c.kind, c.text, kindsOf(got))
		}
		for _, f := range got {
			if f.Start >= 0 && (f.Start > f.End || f.End > len(c.text)) {
				t.Errorf("%s: span [%d,%d) outside %q", detector, f.Start, f.End, c.text)
			}
		}
	}
}

// Fake credentials are assembled at run time from a seeded generator: the
// repository holds no string in a live token format (which secret scanners
// such as push protection would flag) and the tests stay deterministic.
const (
	base62  = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	upper32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b64     = base62 + "+/"
	urlsafe = base62 + "-_"
	letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

func fakeRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

func randString(r *rand.Rand, alphabet string, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}
