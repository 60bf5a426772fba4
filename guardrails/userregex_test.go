package guardrails

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUserRegexpMatchesRegexp: the literal-prefix plan finds exactly what
// the plain expression finds.
func TestUserRegexpMatchesRegexp(t *testing.T) {
	patterns := []string{
		`(?i)\b(?:drop|truncate)\s+(?:table|database)\b`, `(?i)curl\s+[^|\n]+\|\s*(?:ba|z)?sh\b`, `(?i)\bnc\s[^\n|;]*\s-e\s`,
		`(?i)\brm\s+-(?:rf|fr)\s+/(?:\s|$|\*)`, `abc|bcd`, `(?i)(ab|abcd)x`, `\bfoo\b`, `[a-z]+@x`, `(?i)wire\s+\$?\d[\d,]*\s+to\b`, `(?i)hello`,
	}
	r := fakeRand(5)
	words := []string{"drop", "DROP", "table", "truncate", "database", "curl", "|", "sh", "bash", "nc", "-e", "rm", "-rf", "/", "abc", "bcd", "abcd", "x", "foo", "xfoo", "@x", "wire", "$5,000", "to", "hello", "\n", " ", "  "}
	for _, p := range patterns {
		u, err := compileUserRegexp(p)
		require.NoError(t, err)
		re := regexp.MustCompile(p)
		for range 300 {
			var b strings.Builder
			for range r.IntN(30) {
				b.WriteString(words[r.IntN(len(words))])
				if r.IntN(2) == 0 {
					b.WriteByte(' ')
				}
			}
			s := b.String()
			want := re.FindAllStringIndex(s, -1)
			got := u.findAll(s, 1<<30)
			if len(want) == 0 {
				want = nil
			}
			require.Equal(t, want, got, "pattern %q on %q", p, s)
		}
	}
	u, _ := compileUserRegexp(`(?i)\bdrop\s+table`)
	assert.NotNil(t, u.anchored, "a literal-led expression gets a plan")
	u, _ = compileUserRegexp(`\d{3}-\d{4}`)
	assert.Nil(t, u.anchored, "no leading literal: runs as is")
}
